// Fetching the stored mask a job starts from (TrainingJobSpec.initial_mask): the coordinator serves the encoded
// MaskSnapshot in pieces of at most 1 MiB (MaskFetchRequest); the whole is checked against its CRC-32, then every
// layer is decoded and checked against its own. Transient failures are retried with backoff until `timeoutMs`;
// anything else fails at once with a MaskFetchError that the attempt reports.
import {
  DEFAULT_MASK_CHUNK_BYTES,
  MAX_MASK_CHUNK_BYTES,
  crc32,
  decodeMaskSnapshot,
  isFullLayerMask,
  reconstructLayerMask,
  type MaskFetchRequest,
  type MaskFetchResponse,
} from '../../../protocol/src/index.js';
import type { Mask } from '../engine/sparse/types.js';
import { errorText } from './errors.js';
import { realClock, type Clock } from './clock.js';
import { withPieceRetries } from './piece-retry.js';

export type MaskPieceRequester = (request: MaskFetchRequest) => Promise<MaskFetchResponse>;

/** The job runner's fetcher over one piece requester (the agent's connection). */
export type InitialMaskFetcher = (jobId: string, signal: AbortSignal) => Promise<Map<string, Mask>>;

export function initialMaskFetcher(
  requestPiece: MaskPieceRequester,
  settings: { readonly pieceBytes?: number; readonly timeoutMs?: number; readonly clock?: Clock } = {},
): InitialMaskFetcher {
  return (jobId, signal) => fetchInitialMask({ jobId, signal, requestPiece, ...settings });
}

export interface FetchInitialMaskOptions {
  readonly jobId: string;
  readonly requestPiece: MaskPieceRequester;
  readonly pieceBytes?: number;
  /** Give up retrying transient failures after this long (default 60 s). */
  readonly timeoutMs?: number;
  readonly retryDelayMs?: number;
  readonly signal?: AbortSignal;
  /** Reads the deadline and waits between retries (default the real clock). */
  readonly clock?: Clock;
}

export class MaskFetchError extends Error {
  constructor(jobId: string, reason: string) {
    super(`could not fetch the initial mask of job ${jobId}: ${reason}`);
    this.name = 'MaskFetchError';
  }
}

/** A snapshot larger than this is refused before any allocation (a ResNet-50 bitmap is ~3 MiB). */
const MAX_SNAPSHOT_BYTES = 256 * 1024 * 1024;

/** The masks by layer name. */
export async function fetchInitialMask(options: FetchInitialMaskOptions): Promise<Map<string, Mask>> {
  const { jobId } = options;
  const fail = (reason: string): never => {
    throw new MaskFetchError(jobId, reason);
  };
  const pieceBytes = Math.max(1, Math.min(options.pieceBytes ?? DEFAULT_MASK_CHUNK_BYTES, MAX_MASK_CHUNK_BYTES));
  const clock = options.clock ?? realClock;
  const deadline = clock.now() + (options.timeoutMs ?? 60_000);
  const fetchPiece = (offset: number, length: number) =>
    withPieceRetries(() => options.requestPiece({ jobId, offset, length }), deadline, options.retryDelayMs ?? 250, options.signal, clock).catch(
      (error: unknown) => fail(errorText(error)),
    );
  const first = await fetchPiece(0, pieceBytes);
  const total = first.totalBytes;
  const checksum = first.checksum;
  if (!Number.isSafeInteger(total) || total <= 0 || total > MAX_SNAPSHOT_BYTES) fail(`the coordinator announces ${total} bytes`);
  const bytes = new Uint8Array(total);
  let piece: MaskFetchResponse = first;
  let offset = 0;
  for (;;) {
    if (piece.offset !== offset) fail(`asked for offset ${offset}, got ${piece.offset}`);
    if (piece.totalBytes !== total || piece.checksum !== checksum) fail('the stored mask changed while it was fetched');
    if (piece.data.length === 0 || piece.data.length > Math.min(pieceBytes, total - offset)) fail(`got ${piece.data.length} bytes at ${offset}`);
    bytes.set(piece.data, offset);
    offset += piece.data.length;
    if (offset >= total) break;
    piece = await fetchPiece(offset, Math.min(pieceBytes, total - offset));
  }
  if (crc32(bytes) !== checksum) fail('the fetched bytes do not match their checksum');
  let masks: Map<string, Mask>;
  try {
    const snapshot = decodeMaskSnapshot(bytes);
    masks = new Map();
    for (const layer of snapshot.layers) {
      if (!isFullLayerMask(layer)) fail(`layer ${layer.layer} is not a full mask`);
      if (masks.has(layer.layer)) fail(`layer ${layer.layer} appears twice`);
      masks.set(layer.layer, reconstructLayerMask(layer, undefined));
    }
  } catch (error) {
    if (error instanceof MaskFetchError) throw error;
    return fail(errorText(error));
  }
  return masks;
}
