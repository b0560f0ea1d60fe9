// Turns modelled device time into compressed real time: the modelled engine adds each step's device milliseconds,
// and the pacer sleeps (device ms / timeScale) in coarse slices, so a thousand virtual devices with millisecond
// steps do not each set a timer per step. An abort ends the sleep at once.

/** Wall milliseconds below which the pacer keeps accumulating instead of sleeping. */
export const DEFAULT_SLICE_MS = 25;

export class Pacer {
  private owedWallMs = 0;
  private modelledMs = 0;

  constructor(
    private readonly timeScale: number,
    private readonly sliceMs: number = DEFAULT_SLICE_MS,
  ) {
    if (!(timeScale > 0)) throw new RangeError(`timeScale must be > 0, got ${timeScale}`);
  }

  /** Device milliseconds modelled so far. */
  get elapsedModelledMs(): number {
    return this.modelledMs;
  }

  /** Accounts `deviceMs` of device time; sleeps once a slice's worth of wall time is owed. */
  async advance(deviceMs: number, signal?: AbortSignal): Promise<void> {
    this.modelledMs += deviceMs;
    this.owedWallMs += deviceMs / this.timeScale;
    if (this.owedWallMs >= this.sliceMs) await this.flush(signal);
  }

  /** Sleeps whatever wall time is still owed (at the end of a run, before a checkpoint). */
  async flush(signal?: AbortSignal): Promise<void> {
    const wait = this.owedWallMs;
    this.owedWallMs = 0;
    await sleep(wait, signal);
  }
}

function sleep(ms: number, signal?: AbortSignal): Promise<void> {
  signal?.throwIfAborted();
  if (ms <= 0) return Promise.resolve();
  return new Promise((resolve, reject) => {
    const onAbort = () => {
      clearTimeout(timer);
      reject(signal?.reason);
    };
    const timer = setTimeout(() => {
      signal?.removeEventListener('abort', onAbort);
      resolve();
    }, ms);
    signal?.addEventListener('abort', onAbort, { once: true });
  });
}
