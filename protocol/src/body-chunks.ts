// An encoded message body cut into numbered pieces that each carry the whole body's length and CRC-32 (mask
// updates, forgetting statistics), and put back together with every piece checked against the others.
import { MaskCodecError, crc32, joinChunks, splitIntoChunks } from './mask-codec.js';

export interface BodyChunk {
  readonly chunkIndex: number;
  readonly chunkCount: number;
  readonly totalBytes: number;
  readonly checksum: number;
  readonly data: Uint8Array;
}

/** `body` in pieces of at most `chunkBytes` (1..`maxChunkBytes`). */
export function cutIntoBodyChunks(body: Uint8Array, chunkBytes: number, maxChunkBytes: number): BodyChunk[] {
  if (!Number.isInteger(chunkBytes) || chunkBytes < 1 || chunkBytes > maxChunkBytes) {
    throw new RangeError(`chunk size must be 1..${maxChunkBytes} bytes, got ${chunkBytes}`);
  }
  const checksum = crc32(body);
  const pieces = splitIntoChunks(body, chunkBytes);
  return pieces.map((data, chunkIndex) => ({ chunkIndex, chunkCount: pieces.length, totalBytes: body.length, checksum, data }));
}

/** Reassembles a body from its chunks in index order; throws MaskCodecError when they do not make the body. */
export function joinBodyChunks(chunks: readonly BodyChunk[]): Uint8Array {
  if (chunks.length === 0) throw new MaskCodecError('no chunks');
  const ordered = [...chunks].sort((a, b) => a.chunkIndex - b.chunkIndex);
  const { chunkCount, totalBytes, checksum } = ordered[0];
  if (ordered.length !== chunkCount || ordered.some((chunk, index) => chunk.chunkIndex !== index)) {
    throw new MaskCodecError(`have ${ordered.length} distinct chunks of ${chunkCount}`);
  }
  const body = joinChunks(ordered.map((chunk) => chunk.data));
  if (body.length !== totalBytes) throw new MaskCodecError(`chunks hold ${body.length} bytes, total_bytes says ${totalBytes}`);
  const actual = crc32(body);
  if (actual !== checksum) throw new MaskCodecError(`chunks have CRC-32 ${hex(actual)}, the sender's ${hex(checksum)}`);
  return body;
}

function hex(value: number): string {
  return value.toString(16).padStart(8, '0');
}
