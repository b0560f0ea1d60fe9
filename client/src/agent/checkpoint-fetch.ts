// Fetching the checkpoint a resumed attempt starts from: pieces of at most 1 MiB (CheckpointFetchRequest), each
// checked against the request, the whole checked against its sha256 (the checkpoint id). Transient failures (link
// down, timeout, coordinator busy) are retried with backoff until `timeoutMs`; anything else fails at once with a
// CheckpointFetchError that says what went wrong, so the attempt can report it instead of silently restarting.
import type { CheckpointFetchRequest, CheckpointFetchResponse, ResumeFrom } from '../../../protocol/src/index.js';
import { DEFAULT_CHECKPOINT_CHUNK_BYTES, MAX_CHECKPOINT_CHUNK_BYTES } from './checkpoint-upload.js';
import { errorText } from './errors.js';
import { realClock, type Clock } from './clock.js';
import { withPieceRetries } from './piece-retry.js';
import { sha256Hex } from './sha256.js';

export type CheckpointPieceRequester = (request: CheckpointFetchRequest) => Promise<CheckpointFetchResponse>;

/** The job runner's fetcher over one piece requester (the agent's connection). */
export function checkpointFetcher(
  requestPiece: CheckpointPieceRequester,
  settings: { readonly pieceBytes?: number; readonly timeoutMs?: number; readonly clock?: Clock } = {},
): (jobId: string, resume: ResumeFrom, signal: AbortSignal) => Promise<Uint8Array> {
  return (jobId, resume, signal) => fetchCheckpoint({ jobId, resume, signal, requestPiece, ...settings });
}

export interface FetchCheckpointOptions {
  readonly jobId: string;
  readonly resume: ResumeFrom;
  readonly requestPiece: CheckpointPieceRequester;
  readonly pieceBytes?: number;
  /** Give up retrying transient failures after this long (default 60 s). */
  readonly timeoutMs?: number;
  readonly retryDelayMs?: number;
  readonly signal?: AbortSignal;
  /** Reads the deadline and waits between retries (default the real clock). */
  readonly clock?: Clock;
}

export class CheckpointFetchError extends Error {
  constructor(checkpointId: string, reason: string) {
    super(`could not fetch checkpoint ${checkpointId.slice(0, 12) || '(none)'} to resume from: ${reason}`);
    this.name = 'CheckpointFetchError';
  }
}


export async function fetchCheckpoint(options: FetchCheckpointOptions): Promise<Uint8Array> {
  const { resume, jobId } = options;
  const id = resume.checkpointId;
  const fail = (reason: string): never => {
    throw new CheckpointFetchError(id, reason);
  };
  const total = resume.totalBytes;
  if (id === '') fail('the assignment names no checkpoint');
  if (!Number.isSafeInteger(total) || total <= 0) fail(`the assignment gives no usable size (${total})`);
  const pieceBytes = Math.max(1, Math.min(options.pieceBytes ?? DEFAULT_CHECKPOINT_CHUNK_BYTES, MAX_CHECKPOINT_CHUNK_BYTES));
  const clock = options.clock ?? realClock;
  const deadline = clock.now() + (options.timeoutMs ?? 60_000);
  const bytes = new Uint8Array(total);
  let offset = 0;
  while (offset < total) {
    const length = Math.min(pieceBytes, total - offset);
    const request = { jobId, checkpointId: id, offset, length };
    const piece = await withPieceRetries(() => options.requestPiece(request), deadline, options.retryDelayMs ?? 250, options.signal, clock).catch(
      (error: unknown) => fail(errorText(error)),
    );
    if (piece.checkpointId !== id) fail(`the coordinator answered with checkpoint ${piece.checkpointId}`);
    if (piece.offset !== offset) fail(`asked for offset ${offset}, got ${piece.offset}`);
    if (piece.totalBytes !== total) fail(`the coordinator holds ${piece.totalBytes} bytes, the assignment said ${total}`);
    if (piece.data.length === 0 || piece.data.length > length) fail(`asked for ${length} bytes at ${offset}, got ${piece.data.length}`);
    bytes.set(piece.data, offset);
    offset += piece.data.length;
  }
  const digest = await sha256Hex(bytes);
  if (digest !== id.toLowerCase()) fail(`the fetched bytes hash to ${digest}`);
  return bytes;
}
