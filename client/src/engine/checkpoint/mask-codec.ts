// Masks in checkpoints (ARCHITECTURE §3): a bitset (one bit per element, LSB first) or a delta-varint list of the
// active indices (first index, then the gaps between consecutive ones, each as an unsigned LEB128 varint),
// whichever is smaller. Dense masks favour the bitset; masks under ~12.5% density usually favour the list.
// The bytes are those of the wire mask codec in protocol/ (one implementation); this module maps them to the
// checkpoint's TensorEncoding and reports bad bytes as MaskDecodeError.
import {
  MaskCodecError,
  TensorEncoding,
  decodeIndexList,
  encodeBitmap,
  encodeFullMask,
  encodeIndexList,
  maskFromIndices,
  maskIndexListBytes,
  maskIndices,
} from '../../../../protocol/src/index.js';
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
  const encoded = encodeFullMask(mask);
  const encoding = encoded.encoding === 'bitmap' ? TensorEncoding.TENSOR_ENCODING_BITSET : TensorEncoding.TENSOR_ENCODING_DELTA_VARINT;
  return { encoding, data: encoded.data };
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
  return encodeBitmap(mask);
}

/**
 * Unlike the wire's decodeBitmap, padding bits past the end are ignored rather than rejected: checkpoints have
 * always been read that way.
 */
export function decodeMaskBitset(bytes: Uint8Array, length: number): Mask {
  const expected = Math.ceil(length / 8);
  if (bytes.length !== expected) throw new MaskDecodeError(`bitset has ${bytes.length} bytes, a ${length}-element mask needs ${expected}`);
  const mask = new Uint8Array(length);
  for (let i = 0; i < length; i++) mask[i] = (bytes[i >>> 3] >>> (i & 7)) & 1;
  return mask;
}

export function encodeMaskDeltaVarint(mask: Mask): Uint8Array {
  return encodeIndexList(maskIndices(mask));
}

export function decodeMaskDeltaVarint(bytes: Uint8Array, length: number): Mask {
  try {
    return maskFromIndices(decodeIndexList(bytes, length), length);
  } catch (error) {
    if (error instanceof MaskCodecError) throw new MaskDecodeError(error.message);
    throw error;
  }
}

/** Bytes the delta-varint encoding of `mask` takes. */
export function deltaVarintSize(mask: Mask): number {
  return maskIndexListBytes(mask);
}
