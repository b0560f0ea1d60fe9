// FederatedClientUpdate <-> bytes: what a client uploads at the end of a round, opaque to the wire. Little-endian:
//
//   "SFCU" u8 version=1, u8 kind (0 delta, 1 weights), u8 flags (1: accuracy present, 2: mask proposal present),
//   u8 reserved, u32 round, u32 examples, u32 stepsDone, u32 stepsPlanned, f64 loss, f64 accuracy (0 if absent),
//   [flags & 2: u32 layer count, per layer: u16 name length, name, then prune and grow lists, each as
//     u32 count, u32 byte length, delta-varint index list, f16 scores × count],
//   u32 set length, the tensors (sparse-codec format), u32 CRC-32 of every byte before it.
//
// Proposal scores travel normalised (each list divided by its largest score) as float16: aggregation compares a
// client's scores only with each other, so the scale carries nothing.
import { MaskCodecError, crc32, decodeIndexList, encodeIndexList } from '../../../../protocol/src/index.js';
import { ByteReader, ByteWriter, FederatedDecodeError, utf8Length } from './byte-io.js';
import type { DecodeOptions, EncodeOptions, FederatedClientUpdate, LayerMaskProposal } from './contract.js';
import { decodeSparseSet, encodeSparseSet } from './sparse-codec.js';
import { fromHalfBits, toHalfBits } from './float16.js';

const MAGIC = [0x53, 0x46, 0x43, 0x55] as const; // "SFCU"
export const CLIENT_UPDATE_FORMAT_VERSION = 1;
const FLAG_ACCURACY = 1;
const FLAG_PROPOSAL = 2;
const FIXED_BYTES = 4 + 4 + 16 + 16;
/** Index-list positions are bounded by the tensor, which the set decodes after; this only bounds allocation. */
const MAX_POSITION = 2 ** 31;

interface EncodedList {
  readonly indices: Uint8Array;
  readonly scores: Float32Array;
  readonly count: number;
}

/** `options` apply to the tensors (dtype, maskReference: the round's global model). */
export function encodeClientUpdate(update: FederatedClientUpdate, options: EncodeOptions = {}): Uint8Array {
  const tensors = encodeSparseSet(update.tensors, options);
  const proposal = update.maskProposal?.map((layer) => ({
    name: layer.name,
    prune: encodeList(layer.name, layer.prune, layer.pruneScores),
    grow: encodeList(layer.name, layer.grow, layer.growScores),
  }));
  let size = FIXED_BYTES + 4 + tensors.length + 4;
  if (proposal !== undefined) {
    size += 4;
    for (const layer of proposal) size += 2 + utf8Length(layer.name) + listBytes(layer.prune) + listBytes(layer.grow);
  }
  const writer = new ByteWriter(size);
  writer.raw(Uint8Array.from(MAGIC));
  writer.u8(CLIENT_UPDATE_FORMAT_VERSION);
  writer.u8(update.kind === 'delta' ? 0 : 1);
  writer.u8((update.metrics.accuracy === undefined ? 0 : FLAG_ACCURACY) | (proposal === undefined ? 0 : FLAG_PROPOSAL));
  writer.u8(0);
  for (const count of [update.round, update.examples, update.stepsDone, update.stepsPlanned]) writer.u32(count);
  writer.f64(update.metrics.loss);
  writer.f64(update.metrics.accuracy ?? 0);
  if (proposal !== undefined) {
    writer.u32(proposal.length);
    for (const layer of proposal) {
      writer.text(layer.name);
      writeList(writer, layer.prune);
      writeList(writer, layer.grow);
    }
  }
  writer.u32(tensors.length);
  writer.raw(tensors);
  writer.u32(crc32(writer.bytes.subarray(0, writer.offset)));
  return writer.finish();
}

/** `options.maskReference`: the global model the client encoded against. Throws FederatedDecodeError. */
export function decodeClientUpdate(bytes: Uint8Array, options: DecodeOptions = {}): FederatedClientUpdate {
  if (bytes.length < FIXED_BYTES + 8) throw new FederatedDecodeError(`${bytes.length} bytes cannot hold a client update`);
  const body = bytes.subarray(0, bytes.length - 4);
  const stored = new DataView(bytes.buffer, bytes.byteOffset + body.length, 4).getUint32(0, true);
  if (crc32(body) !== stored) throw new FederatedDecodeError('checksum mismatch: the update is corrupt or incomplete');
  const reader = new ByteReader(body);
  if (!MAGIC.every((byte) => reader.u8() === byte)) throw new FederatedDecodeError('not a client update (bad magic)');
  const version = reader.u8();
  if (version !== CLIENT_UPDATE_FORMAT_VERSION) throw new FederatedDecodeError(`update format version ${version} is not supported`);
  const kindCode = reader.u8();
  if (kindCode > 1) throw new FederatedDecodeError(`unknown update kind ${kindCode}`);
  const flags = reader.u8();
  reader.u8();
  const [round, examples, stepsDone, stepsPlanned] = [reader.u32(), reader.u32(), reader.u32(), reader.u32()];
  const loss = reader.f64();
  const accuracy = reader.f64();
  let maskProposal: LayerMaskProposal[] | undefined;
  if ((flags & FLAG_PROPOSAL) !== 0) {
    maskProposal = [];
    const layers = reader.u32();
    for (let i = 0; i < layers; i++) {
      const name = reader.text();
      const prune = readList(reader, name);
      const grow = readList(reader, name);
      maskProposal.push({ name, prune: prune.indices, pruneScores: prune.scores, grow: grow.indices, growScores: grow.scores });
    }
  }
  const setLength = reader.u32();
  const tensors = decodeSparseSet(Uint8Array.from(reader.raw(setLength)), options);
  if (reader.remaining !== 0) throw new FederatedDecodeError(`${reader.remaining} bytes follow the update's tensors`);
  return {
    round,
    examples,
    stepsDone,
    stepsPlanned,
    kind: kindCode === 0 ? 'delta' : 'weights',
    tensors,
    ...(maskProposal === undefined ? {} : { maskProposal }),
    metrics: (flags & FLAG_ACCURACY) !== 0 ? { loss, accuracy } : { loss },
  };
}

function encodeList(layer: string, indices: Uint32Array, scores: Float32Array): EncodedList {
  if (scores.length !== indices.length) throw new RangeError(`proposal for '${layer}': ${scores.length} scores for ${indices.length} positions`);
  let largest = 0;
  for (const score of scores) {
    if (!Number.isFinite(score) || score < 0) throw new RangeError(`proposal for '${layer}': score ${score} is not a finite non-negative number`);
    largest = Math.max(largest, score);
  }
  const normalised = largest === 0 ? new Float32Array(scores.length) : scores.map((score) => score / largest);
  return { indices: encodeIndexList(indices), scores: normalised, count: indices.length };
}

function listBytes(list: EncodedList): number {
  return 8 + list.indices.length + 2 * list.count;
}

function writeList(writer: ByteWriter, list: EncodedList): void {
  writer.u32(list.count);
  writer.u32(list.indices.length);
  writer.raw(list.indices);
  for (const score of list.scores) writer.u16(toHalfBits(score));
}

function readList(reader: ByteReader, layer: string): { indices: Uint32Array; scores: Float32Array } {
  const count = reader.u32();
  const data = reader.raw(reader.u32());
  let indices: Uint32Array;
  try {
    indices = decodeIndexList(data, MAX_POSITION);
  } catch (error) {
    if (error instanceof MaskCodecError) throw new FederatedDecodeError(`proposal for '${layer}': ${error.message}`);
    throw error;
  }
  if (indices.length !== count) throw new FederatedDecodeError(`proposal for '${layer}' declares ${count} positions and holds ${indices.length}`);
  if (2 * count > reader.remaining) throw new FederatedDecodeError(`proposal for '${layer}' is truncated`);
  const scores = new Float32Array(count);
  for (let i = 0; i < count; i++) scores[i] = fromHalfBits(reader.u16());
  return { indices, scores };
}
