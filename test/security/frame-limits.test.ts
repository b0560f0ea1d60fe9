// The device channel's decode limits (protocol/src/frame-limits.ts) as decodeFrame applies them: frame size before
// decoding, nesting depth of the wire data, element counts of decoded repeated fields and maps; unknown fields are
// ignored, and text or binary data that merely looks like wire data is not mistaken for deep nesting.
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { ErrorCode } from '../../protocol/src/index.js';
import {
  MAX_FRAME_BYTES,
  MAX_NESTING_DEPTH,
  MAX_REPEATED_ELEMENTS,
  MAX_TRANSPORT_MESSAGE_BYTES,
  ProtocolFault,
  checkFrameBytes,
  decodeFrame,
  nulTextField,
  encodeMessage,
  expectMessage,
  type DecodedMessage,
  type MessageOf,
} from '../../protocol/src/index.js';
import { TEST_FACTS } from '../server/support/coordinator-harness.js';
import {
  UNKNOWN_FIELDS,
  WireType,
  concat,
  lengthDelimited,
  nestedGroups,
  nestedMessages,
  payloadOf,
  rawEnvelope,
  tag,
} from './support/wire-bytes.js';

const HEARTBEAT = 'sparsefleet.v1.Heartbeat';
const heartbeat: MessageOf<typeof HEARTBEAT> = { sentAtMs: 42, telemetry: undefined, runningJobIds: ['job-1'] };

function faultOf(frame: Uint8Array): ProtocolFault {
  try {
    decodeFrame(frame);
  } catch (error) {
    if (error instanceof ProtocolFault) return error;
    throw error;
  }
  throw new Error('the frame decoded');
}

function chunkFrame(data: Uint8Array): Uint8Array {
  const chunk = { jobId: 'j', attempt: 1, checkpointId: 'c', offset: 0, totalBytes: data.length, data };
  return encodeMessage('sparsefleet.v1.CheckpointChunk', chunk, { senderVersion: 'test' });
}

describe('frame size', () => {
  it('should answer a frame over MAX_FRAME_BYTES with FRAME_TOO_LARGE before decoding it', () => {
    // Prepare: a well-formed chunk one byte over the limit, and garbage of the same size.
    const envelopeBytes = chunkFrame(new Uint8Array(0)).length;
    const overhead = chunkFrame(new Uint8Array(MAX_FRAME_BYTES - envelopeBytes)).length - (MAX_FRAME_BYTES - envelopeBytes);
    const atLimit = chunkFrame(new Uint8Array(MAX_FRAME_BYTES - overhead));
    const overLimit = chunkFrame(new Uint8Array(MAX_FRAME_BYTES - overhead + 1));
    const garbage = new Uint8Array(MAX_FRAME_BYTES + 1).fill(0xff);

    // Execute
    const decoded = decodeFrame(atLimit);
    const tooLarge = faultOf(overLimit);
    const garbageFault = faultOf(garbage);

    // Assert
    expect(atLimit.length).toBe(MAX_FRAME_BYTES);
    expect(expectMessage(decoded, 'sparsefleet.v1.CheckpointChunk').data).toHaveLength(MAX_FRAME_BYTES - overhead);
    expect(overLimit.length).toBe(MAX_FRAME_BYTES + 1);
    expect(tooLarge.code).toBe(ErrorCode.ERROR_CODE_FRAME_TOO_LARGE);
    expect(garbageFault.code).toBe(ErrorCode.ERROR_CODE_FRAME_TOO_LARGE);
  });

  it('should give the transport room for the largest frame, base64-encoded on long-polling', () => {
    expect(MAX_TRANSPORT_MESSAGE_BYTES).toBeGreaterThan(Math.ceil((MAX_FRAME_BYTES * 4) / 3));
  });
});

describe('nesting depth', () => {
  // The envelope is level 0 and its payload level 1.
  const payloadGroupsAllowed = MAX_NESTING_DEPTH - 1;

  it('should accept groups in the envelope up to the limit and refuse one more level with NESTING_TOO_DEEP', () => {
    const emptyHeartbeat = payloadOf(HEARTBEAT, heartbeat);
    const atLimit = rawEnvelope(HEARTBEAT, emptyHeartbeat, nestedGroups(700, MAX_NESTING_DEPTH));
    const overLimit = rawEnvelope(HEARTBEAT, emptyHeartbeat, nestedGroups(700, MAX_NESTING_DEPTH + 1));

    expect(expectMessage(decodeFrame(atLimit), HEARTBEAT)).toEqual(heartbeat);
    expect(faultOf(overLimit).code).toBe(ErrorCode.ERROR_CODE_NESTING_TOO_DEEP);
  });

  it('should refuse groups nested too deep in a payload, at its top level and inside a known submessage', () => {
    // Prepare
    const base = payloadOf(HEARTBEAT, heartbeat);
    const atLimit = rawEnvelope(HEARTBEAT, concat(base, nestedGroups(700, payloadGroupsAllowed)));
    const topLevel = rawEnvelope(HEARTBEAT, concat(base, nestedGroups(700, payloadGroupsAllowed + 1)));
    // Heartbeat.telemetry (field 2) holds the groups: one level deeper.
    const inTelemetry = rawEnvelope(HEARTBEAT, concat(base, lengthDelimited(2, nestedGroups(700, payloadGroupsAllowed))));

    // Execute
    const accepted = decodeFrame(atLimit);

    // Assert
    expect(expectMessage(accepted, HEARTBEAT)).toEqual(heartbeat);
    expect(faultOf(topLevel)).toMatchObject({ code: ErrorCode.ERROR_CODE_NESTING_TOO_DEEP });
    expect(faultOf(inTelemetry)).toMatchObject({ code: ErrorCode.ERROR_CODE_NESTING_TOO_DEEP });
  });

  it('should refuse length-delimited data nested too deep in an unknown field', () => {
    const base = payloadOf(HEARTBEAT, heartbeat);
    const shallow = rawEnvelope(HEARTBEAT, concat(base, nestedMessages(800, 20, [8, 1])));
    const deep = rawEnvelope(HEARTBEAT, concat(base, nestedMessages(800, MAX_NESTING_DEPTH + 5, [8, 1])));

    expect(expectMessage(decodeFrame(shallow), HEARTBEAT)).toEqual(heartbeat);
    expect(faultOf(deep).code).toBe(ErrorCode.ERROR_CODE_NESTING_TOO_DEEP);
  });

  it('should leave groups that never close to the decoder, which refuses the payload without crashing', () => {
    const unclosed = rawEnvelope(HEARTBEAT, nestedGroups(700, 100_000, [], false));
    expect(faultOf(unclosed).code).toBe(ErrorCode.ERROR_CODE_INVALID_PAYLOAD);
  });

  it('should refuse a well-formed deep structure even inside a bytes field (it cannot tell it from a message)', () => {
    const fault = faultOf(chunkFrame(nestedGroups(1, MAX_NESTING_DEPTH + 1)));
    expect(fault.code).toBe(ErrorCode.ERROR_CODE_NESTING_TOO_DEEP);
  });

  it('should not mistake text or binary data that starts groups for deep nesting', () => {
    // Prepare: "s", "{" and 0x0b are start-group tags; 0x0b repeated is a delta-varint mask with a stride of 11.
    const names = ['s'.repeat(5000), '{'.repeat(5000), 'kc'.repeat(3000), '3'.repeat(40)];
    const enrolls = names.map((displayName) =>
      encodeMessage('sparsefleet.v1.EnrollRequest', { facts: { ...TEST_FACTS, labels: { note: displayName } }, displayName }, { senderVersion: 'test' }),
    );
    const strideMask = chunkFrame(new Uint8Array(100_000).fill(0x0b));
    const halfClosed = chunkFrame(concat(nestedGroups(1, 50, [], false), tag(1, WireType.endGroup)));

    // Execute
    const decoded: DecodedMessage[] = [...enrolls, strideMask, halfClosed].map((frame) => decodeFrame(frame));

    // Assert
    expect(decoded.slice(0, names.length).map((d) => expectMessage(d, 'sparsefleet.v1.EnrollRequest').displayName)).toEqual(names);
    expect(expectMessage(decoded[names.length]!, 'sparsefleet.v1.CheckpointChunk').data).toHaveLength(100_000);
  });

  it('should pass every frame an encoder writes from arbitrary text, bytes and numbers', () => {
    fc.assert(
      fc.property(
        fc.string({ unit: 'binary', maxLength: 300 }),
        fc.dictionary(fc.string({ maxLength: 20 }), fc.string({ unit: 'binary', maxLength: 40 }), { maxKeys: 20 }),
        fc.uint8Array({ maxLength: 2000 }),
        fc.array(fc.string({ maxLength: 40 }), { maxLength: 50 }),
        fc.nat(),
        (displayName, labels, data, runningJobIds, sentAtMs) => {
          const frames = [
            encodeMessage('sparsefleet.v1.EnrollRequest', { facts: { ...TEST_FACTS, labels }, displayName }, { senderVersion: displayName }),
            encodeMessage(HEARTBEAT, { sentAtMs, telemetry: undefined, runningJobIds }, { senderVersion: 't', requestId: displayName }),
            chunkFrame(data),
            chunkFrame(concat(chunkFrame(data), data)),
          ];
          for (const frame of frames) expect(checkFrameBytes(frame)).toBeUndefined();
        },
      ),
      { numRuns: 1000 },
    );
  });
});

describe('repeated fields and maps', () => {
  it('should refuse a repeated field with more than MAX_REPEATED_ELEMENTS elements with TOO_MANY_ELEMENTS naming it', () => {
    const ids = (count: number) => Array.from({ length: count }, (_, i) => `job-${i}`);
    const atLimit = encodeMessage(HEARTBEAT, { ...heartbeat, runningJobIds: ids(MAX_REPEATED_ELEMENTS) }, { senderVersion: 't', requestId: 'r-1' });
    const overLimit = encodeMessage(HEARTBEAT, { ...heartbeat, runningJobIds: ids(MAX_REPEATED_ELEMENTS + 1) }, { senderVersion: 't', requestId: 'r-2' });

    const fault = faultOf(overLimit);

    expect(expectMessage(decodeFrame(atLimit), HEARTBEAT).runningJobIds).toHaveLength(MAX_REPEATED_ELEMENTS);
    expect(fault).toMatchObject({ code: ErrorCode.ERROR_CODE_TOO_MANY_ELEMENTS, offendingType: HEARTBEAT, requestId: 'r-2' });
    expect(fault.message).toContain('runningJobIds');
  });

  it('should refuse a map with more than MAX_REPEATED_ELEMENTS entries, at any depth', () => {
    const labels = Object.fromEntries(Array.from({ length: MAX_REPEATED_ELEMENTS + 1 }, (_, i) => [`k${i}`, 'v']));
    const frame = encodeMessage('sparsefleet.v1.EnrollRequest', { facts: { ...TEST_FACTS, labels }, displayName: 'crowded' }, { senderVersion: 't' });

    const fault = faultOf(frame);

    expect(fault.code).toBe(ErrorCode.ERROR_CODE_TOO_MANY_ELEMENTS);
    expect(fault.message).toContain('facts.labels');
  });
});

describe('text fields', () => {
  it('should find a NUL character in a string field or a map key at any depth, which the coordinator refuses', () => {
    // PostgreSQL text cannot hold U+0000: a federated chunk naming such a job reached a query and failed INTERNAL
    const chunk = encodeMessage(
      'sparsefleet.v1.FederatedUpdateChunk',
      { jobId: 'fuzz', attempt: 1, federatedJobId: '\u0000', round: 0, clientIndex: 0, chunkIndex: 0, chunkCount: 1, totalBytes: 0, checksum: 0, data: new Uint8Array() },
      { senderVersion: 't', requestId: 'r-nul' },
    );
    const enroll = (labels: Record<string, string>) =>
      encodeMessage('sparsefleet.v1.EnrollRequest', { facts: { ...TEST_FACTS, labels }, displayName: 'd' }, { senderVersion: 't' });

    expect(nulTextField(decodeFrame(chunk).message)).toBe('federatedJobId');
    expect(nulTextField(decodeFrame(enroll({ 'a\u0000b': 'v' })).message)).toBe('facts.labels.a\u0000b');
    expect(nulTextField(decodeFrame(enroll({ team: 'x\u0000' })).message)).toBe('facts.labels.team');
    expect(nulTextField(decodeFrame(enroll({ team: 'ünï\u0001' })).message)).toBeUndefined();
  });
});

describe('unknown fields', () => {
  it('should ignore unknown fields of every wire type in the envelope and in the payload', () => {
    // Prepare
    const payload = concat(payloadOf(HEARTBEAT, heartbeat), UNKNOWN_FIELDS);
    const frame = rawEnvelope(HEARTBEAT, payload, UNKNOWN_FIELDS, 'with-extras');

    // Execute
    const decoded = decodeFrame(frame);

    // Assert
    expect(decoded.requestId).toBe('with-extras');
    expect(expectMessage(decoded, HEARTBEAT)).toEqual(heartbeat);
  });
});
