// fast-check arbitraries for the device-channel fuzz test: random values, random envelopes, structured random
// payloads for every message type, and mutations of valid frames (bit flips, truncation, insertions, corrupted
// length fields, over-long varints, deep groups). Bytes come from fast-check, so a failure shrinks and replays.
import fc from 'fast-check';
import {
  ENVELOPE_MESSAGE_TYPES,
  SCHEMA_VERSION,
  decodeProto,
  encodeMessage,
  encodeProto,
  withDefaults,
  type MessageTypeName,
} from '../../../protocol/src/index.js';
import { TEST_FACTS } from '../../server/support/coordinator-harness.js';
import { WireType, concat, lengthDelimited, nestedGroups, tag, varint, type Bytes } from './wire-bytes.js';

export const MESSAGE_TYPE_NAMES: readonly MessageTypeName[] = ENVELOPE_MESSAGE_TYPES;

function build<N extends MessageTypeName>(type: N, partial: Record<string, unknown>): Uint8Array {
  const message = withDefaults(type, partial as never);
  return encodeMessage(type, message, { senderVersion: 'fuzz-seed', requestId: `seed-${type}` });
}

const layer = { layer: 'fc1/kernel', density: 0.1, active: 784, total: 7840 };

/** One valid frame of every message type, with realistic content: the seeds the mutations start from. */
export const SEED_FRAMES: readonly Uint8Array[] = [
  build('sparsefleet.v1.EnrollRequest', { facts: { ...TEST_FACTS, labels: { site: 'lab' } }, displayName: 'seed', previousDeviceId: '' }),
  build('sparsefleet.v1.HelloRequest', { facts: TEST_FACTS, runningJobIds: ['job-a', 'job-b'] }),
  build('sparsefleet.v1.Heartbeat', {
    sentAtMs: 1_700_000_000_000,
    telemetry: { freeMemoryBytes: 2 ** 31, rssBytes: 2 ** 28, loadAverage_1m: 0.5, temperatureCelsius: 41, batteryLevel: -1, charging: false },
    runningJobIds: ['job-a'],
  }),
  build('sparsefleet.v1.ProgressReport', {
    jobId: 'job-a', attempt: 1, sequence: 3, epoch: 1, step: 120, totalSteps: 900, loss: 0.7, trainAccuracy: 0.8,
    testAccuracy: -1, density: 0.1, stepMsP50: 12, stepMsP90: 15, peakMemoryBytes: 2 ** 27, maskUpdates: 2,
    layers: [layer, { ...layer, layer: 'fc2/kernel' }], phase: 'training', elapsedMs: 5000,
  }),
  build('sparsefleet.v1.JobResult', {
    jobId: 'job-a', attempt: 1, sequence: 9, outcome: 1, backend: 'wasm', dataSource: 'synthetic', syntheticData: true,
    testAccuracy: 0.81, finalDensity: 0.1, layers: [layer], epochs: 2, steps: 240, wallMs: 9000,
    history: [{ epoch: 1, loss: 0.9, trainAccuracy: 0.7, testAccuracy: 0.72, density: 0.1, maskUpdates: 1, wallMs: 4000 }],
    agentVersion: 'fuzz',
  }),
  build('sparsefleet.v1.CheckpointChunk', { jobId: 'job-a', attempt: 1, checkpointId: 'ab'.repeat(32), offset: 0, totalBytes: 64, data: new Uint8Array(64).map((_, i) => i * 7) }),
  build('sparsefleet.v1.CheckpointCommit', { jobId: 'job-a', attempt: 1, checkpointId: 'ab'.repeat(32), totalBytes: 64, step: 120, epoch: 1 }),
  build('sparsefleet.v1.CheckpointFetchRequest', { jobId: 'job-a', checkpointId: 'ab'.repeat(32), offset: 0, length: 1024 }),
  build('sparsefleet.v1.JobAccepted', { jobId: 'job-a', attempt: 1, accepted: true, reason: '' }),
  build('sparsefleet.v1.Ack', { ok: true }),
  build('sparsefleet.v1.ProtocolError', { code: 4, message: 'seed', offendingType: 'sparsefleet.v1.Heartbeat', requestId: 'r' }),
  build('sparsefleet.v1.JobAssignment', { jobId: 'job-a', attempt: 1, leaseMs: 15000, spec: { model: 'mlp', method: 'rigl', density: 0.1, epochs: 1 } }),
];

/** A varint value: small, around 32-bit boundaries, or up to 64 bits (as bigint). */
const anyVarint = fc.oneof(
  fc.nat({ max: 300 }),
  fc.constantFrom(2 ** 31 - 1, 2 ** 31, 2 ** 32 - 1, 2 ** 32, Number.MAX_SAFE_INTEGER),
  fc.bigInt({ min: 0n, max: 2n ** 64n - 1n }),
);

/** A random but well-formed protobuf message: fields of every wire type, some nested, numbered 1–40. */
const wireMessage: fc.Arbitrary<Uint8Array> = fc
  .letrec<{ message: Uint8Array; field: Uint8Array }>((tie) => ({
    message: fc.array(tie('field'), { maxLength: 8 }).map((fields) => concat(...fields)),
    field: fc.oneof(
      { maxDepth: 3, withCrossShrink: true },
      fc.tuple(fc.integer({ min: 1, max: 40 }), anyVarint).map(([field, value]) => concat(tag(field, WireType.varint), varint(value))),
      fc.tuple(fc.integer({ min: 1, max: 40 }), fc.uint8Array({ minLength: 8, maxLength: 8 })).map(([field, bytes]) => concat(tag(field, WireType.fixed64), bytes)),
      fc.tuple(fc.integer({ min: 1, max: 40 }), fc.uint8Array({ minLength: 4, maxLength: 4 })).map(([field, bytes]) => concat(tag(field, WireType.fixed32), bytes)),
      fc.tuple(fc.integer({ min: 1, max: 40 }), fc.oneof(fc.uint8Array({ maxLength: 40 }), fc.string({ unit: 'binary', maxLength: 40 }).map((s) => new TextEncoder().encode(s)))).map(([field, bytes]) => lengthDelimited(field, bytes)),
      fc.tuple(fc.integer({ min: 1, max: 40 }), tie('message')).map(([field, inner]) => lengthDelimited(field, inner)),
      fc.tuple(fc.integer({ min: 1, max: 40 }), tie('message')).map(([field, inner]) => concat(tag(field, WireType.startGroup), inner, tag(field, WireType.endGroup))),
    ),
  }))
  .message;

const messageTypeName = fc.oneof(
  { weight: 4, arbitrary: fc.constantFrom(...MESSAGE_TYPE_NAMES) },
  { weight: 1, arbitrary: fc.string({ maxLength: 40 }) },
  { weight: 1, arbitrary: fc.constantFrom(...MESSAGE_TYPE_NAMES).map((name) => name.toLowerCase()) },
);

const schemaVersion = fc.oneof({ weight: 4, arbitrary: fc.constant(SCHEMA_VERSION) }, { weight: 1, arbitrary: fc.nat() });

function envelope(type: string, version: number, payload: Uint8Array, requestId: string, senderVersion = 'fuzz'): Uint8Array {
  return encodeProto('sparsefleet.v1.Envelope', { type, schemaVersion: version, senderVersion, payload, requestId });
}

/** Anything a socket.io peer could hand over: bytes, text, numbers, null, arrays, objects. */
export const randomValue: fc.Arbitrary<unknown> = fc.oneof(
  { weight: 4, arbitrary: fc.uint8Array({ maxLength: 200 }) },
  { weight: 2, arbitrary: fc.string({ unit: 'binary', maxLength: 100 }) },
  { weight: 1, arbitrary: fc.oneof(fc.integer(), fc.double(), fc.boolean(), fc.constant(null)) },
  { weight: 1, arbitrary: fc.array(fc.oneof(fc.integer(), fc.string(), fc.uint8Array({ maxLength: 8 })), { maxLength: 4 }) },
  { weight: 1, arbitrary: fc.dictionary(fc.string({ maxLength: 8 }), fc.oneof(fc.integer(), fc.string(), fc.uint8Array({ maxLength: 8 }))) },
);

/** An envelope with a random type name, schema version, ids and random payload bytes. */
export const randomEnvelope: fc.Arbitrary<Uint8Array> = fc
  .record({ type: messageTypeName, version: schemaVersion, payload: fc.uint8Array({ maxLength: 120 }), requestId: fc.string({ maxLength: 12 }), sender: fc.string({ maxLength: 12 }) })
  .map(({ type, version, payload, requestId, sender }) => envelope(type, version, payload, requestId, sender));

/** A current envelope of a random message type around a random well-formed payload: known fields with random values. */
export const structuredEnvelope: fc.Arbitrary<Uint8Array> = fc
  .record({ type: fc.constantFrom(...MESSAGE_TYPE_NAMES), payload: wireMessage, requestId: fc.string({ maxLength: 12 }) })
  .map(({ type, payload, requestId }) => envelope(type, SCHEMA_VERSION, payload, requestId));

type Mutation =
  | { readonly kind: 'flip'; readonly at: number; readonly bit: number }
  | { readonly kind: 'set'; readonly at: number; readonly byte: number }
  | { readonly kind: 'truncate'; readonly at: number }
  | { readonly kind: 'insert'; readonly at: number; readonly bytes: Uint8Array }
  | { readonly kind: 'delete'; readonly at: number; readonly count: number }
  | { readonly kind: 'length'; readonly at: number; readonly length: number | bigint }
  | { readonly kind: 'overlongVarint'; readonly at: number; readonly bytes: number }
  | { readonly kind: 'groups'; readonly at: number; readonly depth: number; readonly closed: boolean }
  | { readonly kind: 'duplicate'; readonly at: number; readonly to: number; readonly count: number };

const position = fc.double({ min: 0, max: 1, noNaN: true, maxExcluded: true });

const mutation: fc.Arbitrary<Mutation> = fc.oneof(
  fc.record({ kind: fc.constant('flip' as const), at: position, bit: fc.integer({ min: 0, max: 7 }) }),
  fc.record({ kind: fc.constant('set' as const), at: position, byte: fc.integer({ min: 0, max: 255 }) }),
  fc.record({ kind: fc.constant('truncate' as const), at: position }),
  fc.record({ kind: fc.constant('insert' as const), at: position, bytes: fc.uint8Array({ minLength: 1, maxLength: 16 }) }),
  fc.record({ kind: fc.constant('delete' as const), at: position, count: fc.integer({ min: 1, max: 8 }) }),
  fc.record({ kind: fc.constant('length' as const), at: position, length: anyVarint }),
  fc.record({ kind: fc.constant('overlongVarint' as const), at: position, bytes: fc.integer({ min: 10, max: 16 }) }),
  fc.record({ kind: fc.constant('groups' as const), at: position, depth: fc.integer({ min: 1, max: 200 }), closed: fc.boolean() }),
  fc.record({ kind: fc.constant('duplicate' as const), at: position, to: position, count: fc.integer({ min: 1, max: 64 }) }),
);

function applyMutation(bytes: Uint8Array, change: Mutation): Uint8Array {
  const at = Math.floor(change.at * (bytes.length + 1));
  const splice = (cut: number, insert: Bytes) => concat(bytes.subarray(0, at), insert, bytes.subarray(Math.min(bytes.length, at + cut)));
  switch (change.kind) {
    case 'flip':
    case 'set': {
      if (bytes.length === 0) return bytes;
      const copy = bytes.slice();
      const index = Math.min(at, copy.length - 1);
      copy[index] = change.kind === 'flip' ? copy[index]! ^ (1 << change.bit) : change.byte;
      return copy;
    }
    case 'truncate':
      return bytes.slice(0, at);
    case 'insert':
      return splice(0, change.bytes);
    case 'delete':
      return splice(change.count, []);
    case 'length': {
      // The next byte from `at` that reads as a length-delimited tag: its length varint is replaced.
      for (let index = at; index < bytes.length - 1; index++) {
        if ((bytes[index]! & 7) !== WireType.lengthDelimited) continue;
        let end = index + 1;
        while (end < bytes.length && bytes[end]! & 0x80) end++;
        return concat(bytes.subarray(0, index + 1), varint(change.length), bytes.subarray(end + 1));
      }
      return bytes;
    }
    case 'overlongVarint':
      return splice(0, [...new Array<number>(change.bytes - 1).fill(0xff), 0x01]);
    case 'groups':
      return splice(0, nestedGroups(1 + (change.depth % 30), change.depth, [], change.closed));
    case 'duplicate': {
      const from = Math.floor(change.to * bytes.length);
      return splice(0, bytes.subarray(from, from + change.count));
    }
  }
}

/**
 * A valid frame after 1–4 mutations: of the frame itself, or of its payload re-wrapped in a valid envelope (so the
 * damage reaches the payload decoder and the handlers rather than stopping at the envelope).
 */
export const mutatedFrame: fc.Arbitrary<Uint8Array> = fc
  .record({
    seed: fc.constantFrom(...SEED_FRAMES),
    target: fc.constantFrom('frame', 'payload'),
    mutations: fc.array(mutation, { minLength: 1, maxLength: 4 }),
  })
  .map(({ seed, target, mutations }) => {
    if (target === 'frame') return mutations.reduce(applyMutation, seed);
    const original = decodeProto('sparsefleet.v1.Envelope', seed);
    const payload = mutations.reduce(applyMutation, original.payload);
    return envelope(original.type, SCHEMA_VERSION, payload, original.requestId);
  });

/** Event names other than the channel's (and other than socket.io's reserved ones, which a client cannot emit). */
export const RESERVED_EVENTS = new Set(['connect', 'connect_error', 'disconnect', 'disconnecting', 'newListener', 'removeListener']);
export const wrongEventName: fc.Arbitrary<string> = fc
  .oneof(fc.string({ minLength: 1, maxLength: 30 }), fc.constantFrom('SF', 'sf ', 'heartbeat', 'message', 'sparsefleet.v1.Heartbeat'))
  .filter((name) => name !== 'sf' && !RESERVED_EVENTS.has(name));
