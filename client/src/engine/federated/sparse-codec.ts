// SparseTensorSet <-> bytes: what a global model (down) and a client's delta (up) travel as, opaque to the wire
// (the transport chunks it like a checkpoint). Only the non-zeros travel: a masked tensor sends its mask and the
// values at the mask's positions. All little-endian:
//
//   "SFST" u8 version=1, u8 reserved, u16 reserved, u32 tensor count
//   per tensor: u16 name length, name (UTF-8), u8 kind (0 masked, 1 dense, 2 buffer), u8 rank, u32 dims[rank],
//     masked only: u8 mask encoding (0 full: every position, 1 bitmap, 2 delta-varint index list, 3 the reference
//       set's mask of the same name), u32 mask byte length, mask bytes;
//     u8 dtype (0 f32, 1 f16, 2 int8), values (f32: 4 B each; f16: 2 B each; int8: f32 scale, then 1 B each);
//     the value count is implied: the mask's active count, or the product of dims.
//   u32 CRC-32 of every byte before it.
//
// The mask is the smaller of bitmap and index list (protocol's mask codec, the one the checkpoint and mask
// streams use). Decoding checks everything (lengths, ranges, unique names, checksum; with a reference, names and
// shapes before allocating) and throws FederatedDecodeError; it never returns a set whose values and masks disagree.
import { MaskCodecError, bitmapBytes, crc32, decodeFullMask, encodeFullMask, maskIndexListBytes } from '../../../../protocol/src/index.js';
import { ByteReader, ByteWriter, FederatedDecodeError, utf8Length } from './byte-io.js';
import type { DecodeOptions, EncodeOptions, SparseTensor, SparseTensorKind, SparseTensorSet, ValueDtype } from './contract.js';
import { activeCount, elementCount, masksEqual, tensorsByName } from './tensors.js';
import { DTYPE_CODES, dtypeOfCode, readValues, valueBytes, writeValues } from './value-codec.js';

const MAGIC = [0x53, 0x46, 0x53, 0x54] as const; // "SFST"
export const SPARSE_SET_FORMAT_VERSION = 1;
const HEADER_BYTES = 12;
const CHECKSUM_BYTES = 4;
/** Elements one tensor may declare (2^31): guards allocation against a corrupt or hostile header. */
const MAX_ELEMENTS = 2 ** 31;
const MAX_RANK = 8;

const KIND_CODES: Readonly<Record<SparseTensorKind, number>> = { masked: 0, dense: 1, buffer: 2 };
const KINDS: readonly SparseTensorKind[] = ['masked', 'dense', 'buffer'];

const enum MaskCode {
  Full = 0,
  Bitmap = 1,
  Indices = 2,
  Reference = 3,
}

interface MaskPlan {
  readonly code: MaskCode;
  readonly bytes: number;
  /** Built only when encoding. */
  readonly data?: Uint8Array;
}

export function encodeSparseSet(set: SparseTensorSet, options: EncodeOptions = {}): Uint8Array {
  const reference = referenceMasks(options);
  const plans = set.tensors.map((tensor) => planMask(tensor, reference, true));
  const writer = new ByteWriter(setBytes(set, options, plans));
  writer.raw(Uint8Array.from(MAGIC));
  writer.u8(SPARSE_SET_FORMAT_VERSION);
  writer.u8(0);
  writer.u16(0);
  writer.u32(set.tensors.length);
  set.tensors.forEach((tensor, i) => {
    checkTensor(tensor);
    writer.text(tensor.name);
    writer.u8(KIND_CODES[tensor.kind]);
    writer.u8(tensor.shape.length);
    for (const dim of tensor.shape) writer.u32(dim);
    const plan = plans[i];
    if (plan !== undefined) {
      writer.u8(plan.code);
      writer.u32(plan.bytes);
      if (plan.data !== undefined) writer.raw(plan.data);
    }
    const dtype = dtypeFor(tensor, options);
    writer.u8(DTYPE_CODES[dtype]);
    writeValues(writer, dtype, tensor.values);
  });
  writer.u32(crc32(writer.bytes.subarray(0, writer.offset)));
  return writer.finish();
}

/** encodeSparseSet(set, options).length, without building the bytes. */
export function sparseSetByteSize(set: SparseTensorSet, options: EncodeOptions = {}): number {
  const reference = referenceMasks(options);
  return setBytes(set, options, set.tensors.map((tensor) => planMask(tensor, reference, false)));
}

/** Throws FederatedDecodeError for anything but a complete, consistent set. */
export function decodeSparseSet(bytes: Uint8Array, options: DecodeOptions = {}): SparseTensorSet {
  if (bytes.length < HEADER_BYTES + CHECKSUM_BYTES) throw new FederatedDecodeError(`${bytes.length} bytes cannot hold a sparse tensor set`);
  const body = bytes.subarray(0, bytes.length - CHECKSUM_BYTES);
  const stored = new DataView(bytes.buffer, bytes.byteOffset + body.length, CHECKSUM_BYTES).getUint32(0, true);
  if (crc32(body) !== stored) throw new FederatedDecodeError('checksum mismatch: the set is corrupt or incomplete');
  const reader = new ByteReader(body);
  if (!MAGIC.every((byte) => reader.u8() === byte)) throw new FederatedDecodeError('not a sparse tensor set (bad magic)');
  const version = reader.u8();
  if (version !== SPARSE_SET_FORMAT_VERSION) throw new FederatedDecodeError(`format version ${version} is not supported (expected ${SPARSE_SET_FORMAT_VERSION})`);
  reader.u8();
  reader.u16();
  const count = reader.u32();
  const reference = options.maskReference === undefined ? undefined : tensorsByName(options.maskReference);
  const tensors: SparseTensor[] = [];
  const names = new Set<string>();
  for (let i = 0; i < count; i++) {
    const tensor = readTensor(reader, reference);
    if (names.has(tensor.name)) throw new FederatedDecodeError(`tensor '${tensor.name}' appears twice`);
    names.add(tensor.name);
    tensors.push(tensor);
  }
  if (reader.remaining !== 0) throw new FederatedDecodeError(`${reader.remaining} bytes follow the last tensor`);
  return { tensors };
}

function readTensor(reader: ByteReader, reference: ReadonlyMap<string, SparseTensor> | undefined): SparseTensor {
  const name = reader.text();
  const kind = KINDS[reader.u8()];
  if (kind === undefined) throw new FederatedDecodeError(`tensor '${name}' has an unknown kind`);
  const rank = reader.u8();
  if (rank > MAX_RANK) throw new FederatedDecodeError(`tensor '${name}' has rank ${rank}`);
  const shape: number[] = [];
  for (let d = 0; d < rank; d++) shape.push(reader.u32());
  const size = elementCount(shape);
  if (size > MAX_ELEMENTS) throw new FederatedDecodeError(`tensor '${name}' declares ${size} elements`);
  if (reference !== undefined) checkAgainstReference(name, shape, reference);
  // Every value takes at least a byte: a full mask or a dense tensor larger than what is left cannot be real.
  if (kind !== 'masked' && size > reader.remaining) throw new FederatedDecodeError(`tensor '${name}' is truncated`);
  let mask: Uint8Array | undefined;
  if (kind === 'masked') mask = readMask(reader, name, size, reference);
  const dtype = dtypeOfCode(reader.u8());
  const count = mask === undefined ? size : activeCount(mask);
  if (valueBytes(dtype, count) > reader.remaining) throw new FederatedDecodeError(`tensor '${name}' is truncated`);
  const values = readValues(reader, dtype, count);
  return mask === undefined ? { name, kind, shape, values } : { name, kind, shape, mask, values };
}

function readMask(reader: ByteReader, name: string, size: number, reference: ReadonlyMap<string, SparseTensor> | undefined): Uint8Array {
  const code = reader.u8();
  const data = reader.raw(reader.u32());
  try {
    switch (code) {
      case MaskCode.Full:
        if (data.length !== 0) throw new FederatedDecodeError(`tensor '${name}': a full mask carries no bytes`);
        if (size > reader.remaining) throw new FederatedDecodeError(`tensor '${name}' is truncated`);
        return new Uint8Array(size).fill(1);
      case MaskCode.Bitmap:
        return decodeFullMask({ encoding: 'bitmap', data }, size);
      case MaskCode.Indices:
        return decodeFullMask({ encoding: 'indices', data }, size);
      case MaskCode.Reference: {
        const base = reference?.get(name)?.mask;
        if (base === undefined) throw new FederatedDecodeError(`tensor '${name}' refers to a reference mask that was not given`);
        if (base.length !== size) throw new FederatedDecodeError(`tensor '${name}': the reference mask has ${base.length} elements, not ${size}`);
        return Uint8Array.from(base);
      }
      default:
        throw new FederatedDecodeError(`tensor '${name}' has mask encoding ${code}`);
    }
  } catch (error) {
    if (error instanceof MaskCodecError) throw new FederatedDecodeError(`tensor '${name}': ${error.message}`);
    throw error;
  }
}

/**
 * With a reference (the coordinator decoding an upload against its global model) every tensor must be one of the
 * reference's, of the same shape: checked before anything is allocated, so a hostile header cannot ask for gigabytes.
 */
function checkAgainstReference(name: string, shape: readonly number[], reference: ReadonlyMap<string, SparseTensor>): void {
  const expected = reference.get(name);
  if (expected === undefined) throw new FederatedDecodeError(`tensor '${name}' is not in the reference set`);
  if (expected.shape.length !== shape.length || expected.shape.some((dim, i) => dim !== shape[i])) {
    throw new FederatedDecodeError(`tensor '${name}' has shape [${shape.join(', ')}], the reference's is [${expected.shape.join(', ')}]`);
  }
}

function referenceMasks(options: EncodeOptions): ReadonlyMap<string, SparseTensor> | undefined {
  return options.maskReference === undefined ? undefined : tensorsByName(options.maskReference);
}

/** undefined for tensors without a mask. */
function planMask(tensor: SparseTensor, reference: ReadonlyMap<string, SparseTensor> | undefined, build: boolean): MaskPlan | undefined {
  const mask = tensor.mask;
  if (tensor.kind !== 'masked' || mask === undefined) return undefined;
  const base = reference?.get(tensor.name)?.mask;
  if (base !== undefined && masksEqual(base, mask)) return { code: MaskCode.Reference, bytes: 0 };
  if (activeCount(mask) === mask.length) return { code: MaskCode.Full, bytes: 0 };
  if (!build) return { code: MaskCode.Bitmap, bytes: Math.min(maskIndexListBytes(mask), bitmapBytes(mask.length)) };
  const encoded = encodeFullMask(mask);
  return { code: encoded.encoding === 'bitmap' ? MaskCode.Bitmap : MaskCode.Indices, bytes: encoded.data.length, data: encoded.data };
}

function setBytes(set: SparseTensorSet, options: EncodeOptions, plans: readonly (MaskPlan | undefined)[]): number {
  let total = HEADER_BYTES + CHECKSUM_BYTES;
  set.tensors.forEach((tensor, i) => {
    total += 2 + utf8Length(tensor.name) + 1 + 1 + 4 * tensor.shape.length;
    const plan = plans[i];
    if (plan !== undefined) total += 1 + 4 + plan.bytes;
    total += 1 + valueBytes(dtypeFor(tensor, options), tensor.values.length);
  });
  return total;
}

function dtypeFor(tensor: SparseTensor, options: EncodeOptions): ValueDtype {
  return tensor.kind === 'masked' ? (options.dtype ?? 'f32') : (options.denseDtype ?? 'f32');
}

/** A tensor whose values do not match its mask or shape cannot be encoded (it would decode differently). */
function checkTensor(tensor: SparseTensor): void {
  const size = elementCount(tensor.shape);
  if (tensor.kind === 'masked') {
    if (tensor.mask === undefined) throw new RangeError(`masked tensor '${tensor.name}' has no mask`);
    if (tensor.mask.length !== size) throw new RangeError(`tensor '${tensor.name}': mask of ${tensor.mask.length} for ${size} elements`);
    const active = activeCount(tensor.mask);
    if (tensor.values.length !== active) throw new RangeError(`tensor '${tensor.name}': ${tensor.values.length} values for ${active} active positions`);
  } else if (tensor.values.length !== size) {
    throw new RangeError(`tensor '${tensor.name}': ${tensor.values.length} values for ${size} elements`);
  }
}
