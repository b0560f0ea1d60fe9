// Pieces of a chunked device report (mask updates, forgetting statistics) as the coordinator stores them before the
// whole body is in: the rules every piece must meet on its own, the digest that tells a resend from other content
// under the same key, and the base64 text the bytes are kept as.
import { createHash } from 'node:crypto';
import type { BodyChunk } from '../../../protocol/src/index.js';

export interface PieceLimits {
  /** Largest encoded body accepted. */
  readonly maxBodyBytes: number;
  /** Largest piece. */
  readonly maxPieceBytes: number;
  /** What the body is called in messages, e.g. "update" or "report". */
  readonly bodyName: string;
}

/** Why the piece can never be part of a valid body, or undefined when it may be. */
export function pieceProblem(piece: BodyChunk, limits: PieceLimits): string | undefined {
  const { chunkCount, chunkIndex, totalBytes, data } = piece;
  if (chunkCount < 1 || chunkIndex >= chunkCount) return `chunk_index ${chunkIndex} must be below chunk_count ${chunkCount} (>= 1)`;
  if (totalBytes > limits.maxBodyBytes) return `total_bytes ${totalBytes} exceeds ${limits.maxBodyBytes}`;
  if (data.length > limits.maxPieceBytes) return `a piece carries at most ${limits.maxPieceBytes} bytes, got ${data.length}`;
  if (data.length > totalBytes) return `a piece of ${data.length} bytes in a ${limits.bodyName} of ${totalBytes}`;
  if (data.length === 0 && totalBytes > 0) return `a piece of a non-empty ${limits.bodyName} carries no bytes`;
  // Every piece carries at least one byte (one empty piece for an empty body).
  if (chunkCount > Math.max(1, totalBytes)) return `${chunkCount} pieces for ${totalBytes} bytes`;
  return undefined;
}

/** Same digest = same piece content (its totals and bytes), whatever key it came under. */
export function pieceDigest(piece: BodyChunk): string {
  return createHash('sha256').update(`${piece.chunkCount}|${piece.totalBytes}|${piece.checksum}|`).update(piece.data).digest('hex');
}

export function toBase64(bytes: Uint8Array): string {
  return Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength).toString('base64');
}

export function fromBase64(text: string): Uint8Array {
  const buffer = Buffer.from(text, 'base64');
  return new Uint8Array(buffer.buffer.slice(buffer.byteOffset, buffer.byteOffset + buffer.byteLength));
}
