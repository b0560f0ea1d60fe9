// Retrying one piece request of a chunked fetch (a checkpoint or an initial mask): transient failures (link down,
// timeout, coordinator busy) are retried with doubling delays, up to 5 s, until `deadline`; anything else is final.
import { ErrorCode, ProtocolFault } from '../../../protocol/src/index.js';
import { realClock, sleepOn, type Clock } from './clock.js';

const TRANSIENT_CODES: ReadonlySet<ErrorCode> = new Set([ErrorCode.ERROR_CODE_INTERNAL, ErrorCode.ERROR_CODE_RATE_LIMITED]);

export async function withPieceRetries<T>(
  attempt: () => Promise<T>,
  deadline: number,
  firstDelayMs: number,
  signal: AbortSignal | undefined,
  clock: Clock = realClock,
): Promise<T> {
  let delay = firstDelayMs;
  for (;;) {
    signal?.throwIfAborted();
    try {
      return await attempt();
    } catch (error) {
      if (!isTransient(error) || clock.now() + delay > deadline) throw error;
    }
    await sleepOn(clock, delay, signal);
    delay = Math.min(delay * 2, 5_000);
  }
}

/** Protocol errors other than INTERNAL / RATE_LIMITED are final (unknown job, not the assigned device, …). */
function isTransient(error: unknown): boolean {
  return !(error instanceof ProtocolFault) || TRANSIENT_CODES.has(error.code);
}
