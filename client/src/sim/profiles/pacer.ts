// Turns modelled device time into compressed real time. The modelled engine adds each step's device milliseconds;
// the pacer keeps the run on a schedule, wall start + device time / timeScale, sleeping in coarse slices so that a
// thousand virtual devices with millisecond steps do not each set a timer per step. Lateness within a slice (timer
// jitter) is made up by sleeping less; a lag of more than a slice (a process too busy for its fleet) is forgiven, the
// schedule restarting from now: simulated time then runs slower for everyone instead of each device racing to catch
// up and starving the event loop (sockets, timers) in between. A run also yields to the event loop at least once a
// slice. An abort ends a sleep at once. On a virtual clock (issue 12, virtual time) the schedule is the clock's own
// time and a sleep is a timer on it, so the run advances with the rest of the simulation.
import { sleepOn, type Clock } from '../../agent/clock.js';
import { yieldToEventLoop } from '../../engine/train/yield.js';

/** Wall milliseconds the pacer lets pass between sleeps or yields. */
export const DEFAULT_SLICE_MS = 25;

export type WallClock = () => number;

/** How the pacer waits `ms` (rejecting when the signal aborts). */
export type PacerSleep = (ms: number, signal?: AbortSignal) => Promise<void>;

/** A pacer on `clock`: its time and its timers (timeScale 1 on a virtual clock). */
export function pacerOnClock(clock: Clock, timeScale: number, sliceMs: number): Pacer {
  return new Pacer(timeScale, sliceMs, () => clock.now(), (ms, signal) => sleepOn(clock, ms, signal));
}

const performanceNow: WallClock = () => globalThis.performance.now();

export class Pacer {
  private modelledMs = 0;
  private startedAt: number;
  private lastPauseAt: number;

  constructor(
    private readonly timeScale: number,
    private readonly sliceMs: number = DEFAULT_SLICE_MS,
    private readonly now: WallClock = performanceNow,
    private readonly sleep: PacerSleep = sleepOnWall,
  ) {
    if (!(timeScale > 0)) throw new RangeError(`timeScale must be > 0, got ${timeScale}`);
    this.startedAt = now();
    this.lastPauseAt = this.startedAt;
  }

  /** Device milliseconds modelled so far. */
  get elapsedModelledMs(): number {
    return this.modelledMs;
  }

  /** Accounts `deviceMs` of device time; sleeps once the run is a slice ahead of its schedule. */
  async advance(deviceMs: number, signal?: AbortSignal): Promise<void> {
    this.modelledMs += deviceMs;
    const now = this.now();
    let ahead = this.dueAt() - now;
    if (ahead < -this.sliceMs) {
      this.startedAt -= ahead;
      ahead = 0;
    }
    if (ahead >= this.sliceMs) await this.pause(ahead, signal);
    else if (now - this.lastPauseAt >= this.sliceMs) await this.pause(0, signal);
  }

  /** Sleeps until the schedule has caught up with the device time modelled (before a checkpoint, at the end). */
  async flush(signal?: AbortSignal): Promise<void> {
    await this.pause(Math.max(0, this.dueAt() - this.now()), signal);
  }

  /** Wall time at which the device time modelled so far is due. */
  private dueAt(): number {
    return this.startedAt + this.modelledMs / this.timeScale;
  }

  private async pause(ms: number, signal?: AbortSignal): Promise<void> {
    if (ms > 0) await this.sleep(ms, signal);
    else await yieldToEventLoop();
    signal?.throwIfAborted();
    this.lastPauseAt = this.now();
  }
}

function sleepOnWall(ms: number, signal?: AbortSignal): Promise<void> {
  signal?.throwIfAborted();
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
