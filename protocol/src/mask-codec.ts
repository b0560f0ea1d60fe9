// Masks as bytes, browser-safe and free of generated code (ARCHITECTURE §3): a mask is one byte per weight (1 =
// active, 0 = pruned, the engine's `Mask`). On the wire it is
//   - a bitmap: one bit per weight, LSB first, ceil(size / 8) bytes; or
//   - an index list: the first active index, then the gaps between consecutive active indices, each an unsigned
//     LEB128 varint ("delta-varint");
// whichever is smaller (the bitmap on a tie: it decodes faster). Between two masks of a layer, the change is the
// pruned and grown index lists (each delta-varint). Every resulting mask is identified by the CRC-32 (IEEE 802.3,
// the zlib/PNG one) of its bitmap, so a receiver that rebuilt it from deltas can tell whether it diverged.

/** 1 = active, 0 = pruned, one entry per weight (canonical layout). */
export type MaskBits = Uint8Array;

export type FullMaskEncoding = 'bitmap' | 'indices';

export interface EncodedFullMask {
  readonly encoding: FullMaskEncoding;
  readonly data: Uint8Array;
}

/** Bytes that do not describe a mask of the expected size, or a change that does not fit its base mask. */
export class MaskCodecError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'MaskCodecError';
  }
}

export function bitmapBytes(size: number): number {
  return Math.ceil(size / 8);
}

export function countActiveBits(mask: MaskBits): number {
  let active = 0;
  for (let i = 0; i < mask.length; i++) active += mask[i] === 0 ? 0 : 1;
  return active;
}

// --- bitmap -------------------------------------------------------------------------------------------------------

export function encodeBitmap(mask: MaskBits): Uint8Array {
  const bytes = new Uint8Array(bitmapBytes(mask.length));
  for (let i = 0; i < mask.length; i++) if (mask[i] !== 0) bytes[i >>> 3] |= 1 << (i & 7);
  return bytes;
}

/** Throws MaskCodecError for a wrong length or set padding bits (a bitmap has exactly one form per mask). */
export function decodeBitmap(bytes: Uint8Array, size: number): MaskBits {
  const expected = bitmapBytes(size);
  if (bytes.length !== expected) throw new MaskCodecError(`bitmap has ${bytes.length} bytes, a ${size}-weight mask needs ${expected}`);
  const tail = size & 7;
  if (tail !== 0 && (bytes[expected - 1] >>> tail) !== 0) throw new MaskCodecError('bitmap sets bits past the end of the mask');
  const mask = new Uint8Array(size);
  for (let i = 0; i < size; i++) mask[i] = (bytes[i >>> 3] >>> (i & 7)) & 1;
  return mask;
}

// --- delta-varint index lists -------------------------------------------------------------------------------------

export function maskIndices(mask: MaskBits): Uint32Array {
  const indices = new Uint32Array(countActiveBits(mask));
  let at = 0;
  for (let i = 0; i < mask.length; i++) if (mask[i] !== 0) indices[at++] = i;
  return indices;
}

export function maskFromIndices(indices: ArrayLike<number>, size: number): MaskBits {
  const mask = new Uint8Array(size);
  for (let i = 0; i < indices.length; i++) {
    const index = indices[i];
    if (!Number.isInteger(index) || index < 0 || index >= size) throw new MaskCodecError(`index ${index} out of range for a ${size}-weight mask`);
    mask[index] = 1;
  }
  return mask;
}

/** Bytes the delta-varint encoding of strictly increasing `indices` takes. */
export function indexListBytes(indices: ArrayLike<number>): number {
  let size = 0;
  for (let i = 0; i < indices.length; i++) size += varintLength(i === 0 ? indices[0] : indices[i] - indices[i - 1]);
  return size;
}

/** `indices` must be strictly increasing non-negative integers below 2^32. */
export function encodeIndexList(indices: ArrayLike<number>): Uint8Array {
  const bytes = new Uint8Array(indexListBytes(indices));
  let at = 0;
  for (let i = 0; i < indices.length; i++) {
    const gap = i === 0 ? indices[0] : indices[i] - indices[i - 1];
    if (i > 0 && gap <= 0) throw new MaskCodecError(`indices must increase strictly (${indices[i - 1]} then ${indices[i]})`);
    at = writeVarint(bytes, at, gap);
  }
  return bytes;
}

/** Throws MaskCodecError for a truncated varint, a repeated index or one at or past `size`. */
export function decodeIndexList(bytes: Uint8Array, size: number): Uint32Array {
  const indices: number[] = [];
  let at = 0;
  let index = -1;
  while (at < bytes.length) {
    const { value, next } = readVarint(bytes, at);
    at = next;
    if (index >= 0 && value === 0) throw new MaskCodecError(`repeated index ${index} in an index list`);
    index = index < 0 ? value : index + value;
    if (index >= size) throw new MaskCodecError(`index ${index} out of range for a ${size}-weight mask`);
    indices.push(index);
  }
  return Uint32Array.from(indices);
}

// --- full masks ---------------------------------------------------------------------------------------------------

/** The delta-varint size of a mask's active indices, without building the list. */
export function maskIndexListBytes(mask: MaskBits): number {
  let size = 0;
  let previous = -1;
  for (let i = 0; i < mask.length; i++) {
    if (mask[i] === 0) continue;
    size += varintLength(previous < 0 ? i : i - previous);
    previous = i;
  }
  return size;
}

/** The smaller of bitmap and index list (the bitmap on a tie). */
/** `bitmap`: the mask's bitmap when the caller has built it already (it is not built twice). */
export function encodeFullMask(mask: MaskBits, bitmap?: Uint8Array): EncodedFullMask {
  if (maskIndexListBytes(mask) < bitmapBytes(mask.length)) return { encoding: 'indices', data: encodeIndexList(maskIndices(mask)) };
  return { encoding: 'bitmap', data: bitmap ?? encodeBitmap(mask) };
}

export function decodeFullMask(encoded: EncodedFullMask, size: number): MaskBits {
  return encoded.encoding === 'bitmap' ? decodeBitmap(encoded.data, size) : maskFromIndices(decodeIndexList(encoded.data, size), size);
}

// --- changes between masks ----------------------------------------------------------------------------------------

export interface MaskChangeIndices {
  /** Active before, inactive after; increasing. */
  readonly pruned: Uint32Array;
  /** Inactive before, active after; increasing. */
  readonly grown: Uint32Array;
}

export function maskChange(before: MaskBits, after: MaskBits): MaskChangeIndices {
  if (before.length !== after.length) throw new MaskCodecError(`masks differ in size (${before.length} and ${after.length})`);
  const pruned: number[] = [];
  const grown: number[] = [];
  for (let i = 0; i < after.length; i++) {
    const was = before[i] !== 0;
    const is = after[i] !== 0;
    if (was && !is) pruned.push(i);
    else if (!was && is) grown.push(i);
  }
  return { pruned: Uint32Array.from(pruned), grown: Uint32Array.from(grown) };
}

export interface EncodedMaskChange {
  readonly pruned: Uint8Array;
  readonly grown: Uint8Array;
}

export function encodeMaskChange(change: MaskChangeIndices): EncodedMaskChange {
  return { pruned: encodeIndexList(change.pruned), grown: encodeIndexList(change.grown) };
}

/**
 * `base` with the change applied (a new array). Throws MaskCodecError when the change does not fit the base: a
 * pruned index that was not active or a grown one that already was (the sign that the base is not the sender's).
 */
export function applyMaskChange(base: MaskBits, change: EncodedMaskChange): MaskBits {
  const size = base.length;
  const pruned = decodeIndexList(change.pruned, size);
  const grown = decodeIndexList(change.grown, size);
  const mask = Uint8Array.from(base, (bit) => (bit === 0 ? 0 : 1));
  for (const index of pruned) {
    if (mask[index] !== 1) throw new MaskCodecError(`pruned index ${index} was not active`);
    mask[index] = 0;
  }
  for (const index of grown) {
    if (mask[index] !== 0 || base[index] !== 0) throw new MaskCodecError(`grown index ${index} was already active`);
    mask[index] = 1;
  }
  return mask;
}

// --- checksums ----------------------------------------------------------------------------------------------------

let crcTable: Uint32Array | undefined;

function table(): Uint32Array {
  if (crcTable) return crcTable;
  crcTable = new Uint32Array(256);
  for (let n = 0; n < 256; n++) {
    let c = n;
    for (let k = 0; k < 8; k++) c = c & 1 ? 0xedb88320 ^ (c >>> 1) : c >>> 1;
    crcTable[n] = c >>> 0;
  }
  return crcTable;
}

/** CRC-32 (IEEE 802.3, reflected, as zlib's crc32); `previous` continues a running checksum over several pieces. */
export function crc32(bytes: Uint8Array, previous = 0): number {
  const t = table();
  let crc = (previous ^ 0xffffffff) >>> 0;
  for (let i = 0; i < bytes.length; i++) crc = t[(crc ^ bytes[i]) & 0xff] ^ (crc >>> 8);
  return (crc ^ 0xffffffff) >>> 0;
}

/** The checksum that identifies a mask: CRC-32 of its bitmap. */
export function maskChecksum(mask: MaskBits): number {
  return crc32(encodeBitmap(mask));
}

// --- chunking -----------------------------------------------------------------------------------------------------

/** Cuts `bytes` into consecutive pieces of at most `budget` bytes (one empty piece for empty input). */
export function splitIntoChunks(bytes: Uint8Array, budget: number): Uint8Array[] {
  if (!Number.isInteger(budget) || budget < 1) throw new RangeError(`chunk budget must be a positive integer, got ${budget}`);
  if (bytes.length === 0) return [new Uint8Array(0)];
  const chunks: Uint8Array[] = [];
  for (let offset = 0; offset < bytes.length; offset += budget) chunks.push(bytes.subarray(offset, Math.min(bytes.length, offset + budget)));
  return chunks;
}

export function joinChunks(chunks: readonly Uint8Array[]): Uint8Array {
  const total = chunks.reduce((sum, chunk) => sum + chunk.length, 0);
  const bytes = new Uint8Array(total);
  let at = 0;
  for (const chunk of chunks) {
    bytes.set(chunk, at);
    at += chunk.length;
  }
  return bytes;
}

// --- varints ------------------------------------------------------------------------------------------------------

function varintLength(value: number): number {
  let length = 1;
  while (value >= 0x80) {
    value = Math.floor(value / 128);
    length++;
  }
  return length;
}

function writeVarint(bytes: Uint8Array, at: number, value: number): number {
  if (!Number.isInteger(value) || value < 0 || value > 0xffffffff) throw new MaskCodecError(`index or gap ${value} is not a uint32`);
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
    if (at >= bytes.length) throw new MaskCodecError('truncated varint in an index list');
    const byte = bytes[at++];
    value += (byte & 0x7f) * scale;
    if ((byte & 0x80) === 0) {
      if (value > 0xffffffff) throw new MaskCodecError('varint larger than a uint32 in an index list');
      return { value, next: at };
    }
    scale *= 128;
  }
  throw new MaskCodecError('varint longer than 5 bytes in an index list');
}
