// The agent's time source: where it reads the time and schedules its timers (heartbeats, request timeouts, backoff,
// outbox and piece retries). The real clock is the default; a simulator injects one clock shared by all its devices
// so that they can run on virtual time (issue 12). Browser-loadable: only the global timer functions.

declare const timerBrand: unique symbol;
/** A scheduled timer, only good for clearTimeout on the clock that made it. */
export interface TimerHandle {
  readonly [timerBrand]: true;
}

export interface TimerOptions {
  /** The timer alone must not keep a finished process alive (real clock only; Node's unref). */
  readonly unref?: boolean;
}

export interface Clock {
  /** Milliseconds since the epoch (virtual clocks: since their own origin). */
  now(): number;
  setTimeout(run: () => void, ms: number, options?: TimerOptions): TimerHandle;
  clearTimeout(handle: TimerHandle | undefined): void;
}

export const realClock: Clock = {
  now: () => Date.now(),
  setTimeout(run, ms, options) {
    const timer = globalThis.setTimeout(run, ms);
    if (options?.unref) (timer as { unref?: () => unknown }).unref?.();
    return timer as unknown as TimerHandle;
  },
  clearTimeout(handle) {
    if (handle !== undefined) globalThis.clearTimeout(handle as unknown as ReturnType<typeof globalThis.setTimeout>);
  },
};

/** Resolves after `ms` on `clock`; rejects with the signal's reason when it aborts first. */
export function sleepOn(clock: Clock, ms: number, signal?: AbortSignal): Promise<void> {
  return new Promise((resolve, reject) => {
    if (signal?.aborted) {
      reject(abortReason(signal));
      return;
    }
    const timer = clock.setTimeout(done, ms);
    function done(): void {
      signal?.removeEventListener('abort', aborted);
      resolve();
    }
    function aborted(): void {
      clock.clearTimeout(timer);
      reject(abortReason(signal!));
    }
    signal?.addEventListener('abort', aborted, { once: true });
  });
}

function abortReason(signal: AbortSignal): Error {
  return signal.reason instanceof Error ? signal.reason : new Error('aborted');
}
