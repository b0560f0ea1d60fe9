// Masks on the wire (ARCHITECTURE §3): a bitset (one bit per element, LSB first) or a delta-varint list of the
// active indices (first index, then the gaps between consecutive ones, each as an unsigned LEB128 varint),
// whichever is smaller. Dense masks favour the bitset; masks under ~12.5% density usually favour the list.
import { TensorEncoding } from '../../../../protocol/src/index.js';
import type { Mask } from '../sparse/types.js';

export type MaskEncoding = TensorEncoding.TENSOR_ENCODING_BITSET | TensorEncoding.TENSOR_ENCODING_DELTA_VARINT;

export interface EncodedMask {
  readonly encoding: MaskEncoding;
  readonly data: Uint8Array;
}

/** A mask's bytes do not describe a mask of the expected length. */
export class MaskDecodeError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'MaskDecodeError';
  }
}

/** The smaller of the two encodings (the bitset on a tie: it decodes faster). */
export function encodeMask(mask: Mask): EncodedMask {
  const bitsetBytes = Math.ceil(mask.length / 8);
  if (deltaVarintSize(mask) < bitsetBytes) {
    return { encoding: TensorEncoding.TENSOR_ENCODING_DELTA_VARINT, data: encodeMaskDeltaVarint(mask) };
  }
  return { encoding: TensorEncoding.TENSOR_ENCODING_BITSET, data: encodeMaskBitset(mask) };
}

export function decodeMask(encoded: EncodedMask, length: number): Mask {
  switch (encoded.encoding) {
    case TensorEncoding.TENSOR_ENCODING_BITSET:
      return decodeMaskBitset(encoded.data, length);
    case TensorEncoding.TENSOR_ENCODING_DELTA_VARINT:
      return decodeMaskDeltaVarint(encoded.data, length);
    default:
      throw new MaskDecodeError(`unsupported mask encoding ${String(encoded.encoding)}`);
  }
}

export function encodeMaskBitset(mask: Mask): Uint8Array {
  const bytes = new Uint8Array(Math.ceil(mask.length / 8));
  for (let i = 0; i < mask.length; i++) if (mask[i] !== 0) bytes[i >>> 3] |= 1 << (i & 7);
  return bytes;
}

export function decodeMaskBitset(bytes: Uint8Array, length: number): Mask {
  const expected = Math.ceil(length / 8);
  if (bytes.length !== expected) throw new MaskDecodeError(`bitset has ${bytes.length} bytes, a ${length}-element mask needs ${expected}`);
  const mask = new Uint8Array(length);
  for (let i = 0; i < length; i++) mask[i] = (bytes[i >>> 3] >>> (i & 7)) & 1;
  return mask;
}

export function encodeMaskDeltaVarint(mask: Mask): Uint8Array {
  const bytes = new Uint8Array(deltaVarintSize(mask));
  let at = 0;
  let previous = -1;
  for (let i = 0; i < mask.length; i++) {
    if (mask[i] === 0) continue;
    at = writeVarint(bytes, at, previous < 0 ? i : i - previous);
    previous = i;
  }
  return bytes;
}

export function decodeMaskDeltaVarint(bytes: Uint8Array, length: number): Mask {
  const mask = new Uint8Array(length);
  let at = 0;
  let index = -1;
  while (at < bytes.length) {
    const { value, next } = readVarint(bytes, at);
    at = next;
    if (index >= 0 && value === 0) throw new MaskDecodeError(`repeated index ${index} in delta-varint mask`);
    index = index < 0 ? value : index + value;
    if (index >= length) throw new MaskDecodeError(`index ${index} out of range for a ${length}-element mask`);
    mask[index] = 1;
  }
  return mask;
}

/** Bytes the delta-varint encoding of `mask` takes. */
export function deltaVarintSize(mask: Mask): number {
  let size = 0;
  let previous = -1;
  for (let i = 0; i < mask.length; i++) {
    if (mask[i] === 0) continue;
    size += varintLength(previous < 0 ? i : i - previous);
    previous = i;
  }
  return size;
}

function varintLength(value: number): number {
  let length = 1;
  while (value >= 0x80) {
    value = Math.floor(value / 128);
    length++;
  }
  return length;
}

function writeVarint(bytes: Uint8Array, at: number, value: number): number {
  while (value >= 0x80) {
    bytes[at++] = (value % 128) | 0x80;
    value = Math.floor(value / 128);
  }
  bytes[at++] = value;
  return at;
}

/** Unsigned LEB128 of at most 5 bytes (a uint32 index or gap). */
function readVarint(bytes: Uint8Array, at: number): { value: number; next: number } {
  let value = 0;
  let scale = 1;
  for (let i = 0; i < 5; i++) {
    if (at >= bytes.length) throw new MaskDecodeError('truncated varint in delta-varint mask');
    const byte = bytes[at++];
    value += (byte & 0x7f) * scale;
    if ((byte & 0x80) === 0) return { value, next: at };
    scale *= 128;
  }
  throw new MaskDecodeError('varint longer than 5 bytes in delta-varint mask');
}
