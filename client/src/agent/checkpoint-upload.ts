// A checkpoint as the reports that upload it: CheckpointChunk pieces of at most `chunkBytes` in order, then the
// CheckpointCommit. They go through the outbox like every report, so a
// piece that was not acknowledged is sent again after a reconnect, still in order.
import type { OutboundReport } from './outbox.js';
import { sha256Hex } from './sha256.js';

/** The protocol's limit for one piece. */
export const MAX_CHECKPOINT_CHUNK_BYTES = 1024 * 1024;
/**
 * Half the limit by default: a full 1 MiB piece plus its envelope is just over socket.io's default frame cap
 * (maxHttpBufferSize 1e6), so a coordinator left at that default would drop the link on every piece.
 */
export const DEFAULT_CHECKPOINT_CHUNK_BYTES = 512 * 1024;

export interface CheckpointUpload {
  readonly jobId: string;
  readonly attempt: number;
  readonly bytes: Uint8Array;
  readonly step: number;
  readonly epoch: number;
  /** Piece size, at most MAX_CHECKPOINT_CHUNK_BYTES (default DEFAULT_CHECKPOINT_CHUNK_BYTES). */
  readonly chunkBytes?: number;
}

export interface CheckpointReports {
  /** Hex sha256 of the encoded checkpoint. */
  readonly checkpointId: string;
  readonly reports: OutboundReport[];
}

export async function checkpointUploadReports(upload: CheckpointUpload): Promise<CheckpointReports> {
  const chunkBytes = upload.chunkBytes ?? DEFAULT_CHECKPOINT_CHUNK_BYTES;
  if (!Number.isInteger(chunkBytes) || chunkBytes < 1 || chunkBytes > MAX_CHECKPOINT_CHUNK_BYTES) {
    throw new RangeError(`checkpoint chunk size must be 1..${MAX_CHECKPOINT_CHUNK_BYTES} bytes, got ${chunkBytes}`);
  }
  const { jobId, attempt, bytes } = upload;
  const checkpointId = await sha256Hex(bytes);
  const totalBytes = bytes.length;
  const reports: OutboundReport[] = [];
  for (let offset = 0; offset < totalBytes; offset += chunkBytes) {
    const data = bytes.subarray(offset, Math.min(totalBytes, offset + chunkBytes));
    reports.push({ type: 'sparsefleet.v1.CheckpointChunk', message: { jobId, attempt, checkpointId, offset, totalBytes, data } });
  }
  reports.push({
    type: 'sparsefleet.v1.CheckpointCommit',
    message: { jobId, attempt, checkpointId, totalBytes, step: upload.step, epoch: upload.epoch },
  });
  return { checkpointId, reports };
}
