// Long loops on the coordinator's one thread, cut into slices that give the event loop back in between, so a big
// operator request (a campaign at the job cap, its view) never holds up devices' heartbeats for long. An `await`
// on a SQLite query does not yield (better-sqlite3 is synchronous: it only queues a microtask), so loops of
// queries need these too. Each slice should stay well under ~50 ms; the budgets here aim at ~10 ms.
import { performance } from 'node:perf_hooks';

/** Work a slice may do before it yields (ms). */
export const SLICE_BUDGET_MS = 10;

/** Resolves on the next turn of the event loop, after pending I/O (socket frames, timers) had its turn. */
export function yieldToEventLoop(): Promise<void> {
  return new Promise((resolve) => setImmediate(resolve));
}

/**
 * Call `tick()` once per item of a long loop: it yields to the event loop whenever the current slice has run for
 * `budgetMs`, and costs one clock read otherwise. `yields` counts the slices given back.
 */
export class TimeSlicer {
  private sliceStart = performance.now();
  yields = 0;

  constructor(private readonly budgetMs = SLICE_BUDGET_MS) {}

  async tick(): Promise<void> {
    if (performance.now() - this.sliceStart < this.budgetMs) return;
    await this.yield();
  }

  /** Yields now (e.g. after a batch whose cost is not known per item). */
  async yield(): Promise<void> {
    await yieldToEventLoop();
    this.yields += 1;
    this.sliceStart = performance.now();
  }
}

/**
 * Sizes the batches of work that cannot yield halfway (one SQLite transaction): each batch's size is scaled by
 * how long the previous one took against the budget, at most doubling at a time, within [min, max].
 */
export class BatchSizer {
  private current: number;

  constructor(
    initial = 50,
    private readonly min = 1,
    private readonly max = 500,
    private readonly budgetMs = SLICE_BUDGET_MS,
  ) {
    this.current = initial;
  }

  get size(): number {
    return this.current;
  }

  /** Records how long a batch of `count` items took and returns the next batch size. */
  record(count: number, elapsedMs: number): number {
    const perItem = Math.max(elapsedMs, 0.01) / Math.max(count, 1);
    const fitting = Math.floor(this.budgetMs / perItem);
    this.current = Math.max(this.min, Math.min(this.max, fitting, this.current * 2));
    return this.current;
  }
}

/** Times `body` (ms) with the monotonic clock. */
export async function timed<T>(body: () => Promise<T>): Promise<{ value: T; elapsedMs: number }> {
  const start = performance.now();
  const value = await body();
  return { value, elapsedMs: performance.now() - start };
}
