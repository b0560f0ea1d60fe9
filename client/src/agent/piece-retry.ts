// Retrying one piece request of a chunked fetch (a checkpoint or an initial mask): transient failures (link down,
// timeout, coordinator busy) are retried with doubling delays, up to 5 s, until `deadline`; anything else is final.
import { ErrorCode, ProtocolFault } from '../../../protocol/src/index.js';

const TRANSIENT_CODES: ReadonlySet<ErrorCode> = new Set([ErrorCode.ERROR_CODE_INTERNAL, ErrorCode.ERROR_CODE_RATE_LIMITED]);

export async function withPieceRetries<T>(
  attempt: () => Promise<T>,
  deadline: number,
  firstDelayMs: number,
  signal: AbortSignal | undefined,
): Promise<T> {
  let delay = firstDelayMs;
  for (;;) {
    signal?.throwIfAborted();
    try {
      return await attempt();
    } catch (error) {
      if (!isTransient(error) || Date.now() + delay > deadline) throw error;
    }
    await sleep(delay, signal);
    delay = Math.min(delay * 2, 5_000);
  }
}

/** Protocol errors other than INTERNAL / RATE_LIMITED are final (unknown job, not the assigned device, …). */
function isTransient(error: unknown): boolean {
  return !(error instanceof ProtocolFault) || TRANSIENT_CODES.has(error.code);
}

function sleep(ms: number, signal: AbortSignal | undefined): Promise<void> {
  return new Promise((resolve, reject) => {
    const timer = setTimeout(done, ms);
    function done(): void {
      signal?.removeEventListener('abort', aborted);
      resolve();
    }
    function aborted(): void {
      clearTimeout(timer);
      reject(signal?.reason instanceof Error ? signal.reason : new Error('aborted'));
    }
    signal?.addEventListener('abort', aborted, { once: true });
  });
}
