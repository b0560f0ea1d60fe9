// The time source shared by the agent and the coordinator (issue 12, virtual time): where each reads the time and
// schedules its timers (the agent's heartbeats, request timeouts, backoff and retries; the coordinator's presence
// expiry, leases, sweeps and supervision). The real clock is the default everywhere; a simulator injects one clock
// shared by the coordinator and all its devices so that a run moves on virtual time. It lives here, below both, so
// that neither imports the other. Browser-loadable: only the global timer functions.

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

/** The clock's time as a Date (the coordinator's timestamps). */
export function clockDate(clock: Clock): Date {
  return new Date(clock.now());
}

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
