// Fetching a federated client task's global model: the coordinator serves the engine's encoded sparse tensor set in
// pieces of at most 1 MiB (FederatedModelFetchRequest); the whole is checked against the length and CRC-32 the task
// announced. Transient failures are retried with backoff until `timeoutMs`; anything else fails at once.
import {
  DEFAULT_MASK_CHUNK_BYTES,
  MAX_MASK_CHUNK_BYTES,
  crc32,
  type FederatedModelFetchRequest,
  type FederatedModelFetchResponse,
} from '../../../protocol/src/index.js';
import { realClock, type Clock } from './clock.js';
import { errorText } from './errors.js';
import { withPieceRetries } from './piece-retry.js';

export type FederatedModelPieceRequester = (request: FederatedModelFetchRequest) => Promise<FederatedModelFetchResponse>;

export interface ExpectedModel {
  readonly bytes: number;
  readonly checksum: number;
}

/** The job runner's fetcher over one piece requester (the agent's connection). */
export type FederatedModelFetcher = (jobId: string, expected: ExpectedModel, signal: AbortSignal) => Promise<Uint8Array>;

export class FederatedModelFetchError extends Error {
  constructor(jobId: string, reason: string) {
    super(`could not fetch the global model of client task ${jobId}: ${reason}`);
    this.name = 'FederatedModelFetchError';
  }
}

export function federatedModelFetcher(
  requestPiece: FederatedModelPieceRequester,
  settings: { readonly pieceBytes?: number; readonly timeoutMs?: number; readonly retryDelayMs?: number; readonly clock?: Clock } = {},
): FederatedModelFetcher {
  return async (jobId, expected, signal) => {
    const fail = (reason: string): never => {
      throw new FederatedModelFetchError(jobId, reason);
    };
    const clock = settings.clock ?? realClock;
    const pieceBytes = Math.max(1, Math.min(settings.pieceBytes ?? DEFAULT_MASK_CHUNK_BYTES, MAX_MASK_CHUNK_BYTES));
    const deadline = clock.now() + (settings.timeoutMs ?? 60_000);
    const total = expected.bytes;
    if (!Number.isSafeInteger(total) || total <= 0) fail(`the task announces ${total} bytes`);
    const bytes = new Uint8Array(total);
    for (let offset = 0; offset < total; ) {
      const length = Math.min(pieceBytes, total - offset);
      const piece = await withPieceRetries(() => requestPiece({ jobId, offset, length }), deadline, settings.retryDelayMs ?? 250, signal, clock).catch(
        (error: unknown) => fail(errorText(error)),
      );
      if (piece.totalBytes !== total || piece.checksum !== expected.checksum) fail('the coordinator serves another model than the task names');
      if (piece.offset !== offset || piece.data.length === 0 || piece.data.length > length) fail(`got ${piece.data.length} bytes at ${piece.offset}, asked for ${offset}`);
      bytes.set(piece.data, offset);
      offset += piece.data.length;
    }
    if (crc32(bytes) !== expected.checksum) fail('the fetched bytes do not match their checksum');
    return bytes;
  };
}
