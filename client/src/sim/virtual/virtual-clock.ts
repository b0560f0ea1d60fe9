// Discrete-event virtual time for simulations (issue 12, virtual time): a Clock whose time moves only when it is
// stepped, and then straight to the next due timer, once the process is quiescent: all work marked in flight (a
// request awaiting its reply, a database write) has settled and the event loop has stayed idle for a few turns with
// no new timer. One timer fires per step, timers due at the same instant in the order they were scheduled, so the
// order of a run's events follows from its inputs and not from wall time.
import type { Clock, TimerHandle } from '../../agent/clock.js';

interface VirtualTimer {
  readonly dueMs: number;
  readonly sequence: number;
  readonly run: () => void;
  cancelled: boolean;
}

export interface VirtualClockOptions {
  /** The clock's time before the first step (default 0). */
  readonly startMs?: number;
  /** Event-loop turns without new timers or work in flight that count as quiescent (default 3). */
  readonly idleTurns?: number;
}

const nextTurn = (): Promise<void> => new Promise((resolve) => setImmediate(resolve));

export class VirtualClock implements Clock {
  private nowMs: number;
  private nextSequence = 0;
  /** A binary min-heap by (dueMs, sequence). */
  private readonly heap: VirtualTimer[] = [];
  private live = 0;
  private inFlight = 0;
  private settledWaiters: Array<() => void> = [];
  private readonly idleTurns: number;

  constructor(options: VirtualClockOptions = {}) {
    this.nowMs = options.startMs ?? 0;
    this.idleTurns = Math.max(1, options.idleTurns ?? 3);
  }

  now(): number {
    return this.nowMs;
  }

  /** Timers scheduled and neither fired nor cleared. */
  get pendingTimers(): number {
    return this.live;
  }

  setTimeout(run: () => void, ms: number): TimerHandle {
    const timer: VirtualTimer = { dueMs: this.nowMs + Math.max(0, ms), sequence: this.nextSequence++, run, cancelled: false };
    this.push(timer);
    this.live += 1;
    return timer as unknown as TimerHandle;
  }

  clearTimeout(handle: TimerHandle | undefined): void {
    const timer = handle as unknown as VirtualTimer | undefined;
    if (!timer || timer.cancelled) return;
    timer.cancelled = true;
    this.live -= 1;
  }

  /** Marks work in flight: time does not move until the returned function is called (once). */
  hold(): () => void {
    this.inFlight += 1;
    let released = false;
    return () => {
      if (released) return;
      released = true;
      this.inFlight -= 1;
      if (this.inFlight === 0) for (const waiter of this.settledWaiters.splice(0)) waiter();
    };
  }

  /** Holds the clock while `work` runs. */
  track<T>(work: Promise<T>): Promise<T> {
    const release = this.hold();
    return work.finally(release);
  }

  /**
   * Waits until the process is quiescent, then moves to the earliest due timer and fires it. Resolves with the new
   * time, or undefined when no timer is pending (nothing can happen any more without outside input).
   */
  async step(): Promise<number | undefined> {
    await this.quiescent();
    const timer = this.popLive();
    if (!timer) return undefined;
    this.nowMs = Math.max(this.nowMs, timer.dueMs);
    this.live -= 1;
    timer.cancelled = true;
    timer.run();
    return this.nowMs;
  }

  /** Steps until the next timer lies beyond `untilMs` (time then stands at `untilMs`) or none is left; returns the steps. */
  async runUntil(untilMs: number): Promise<number> {
    let steps = 0;
    for (;;) {
      await this.quiescent();
      const next = this.peekLive();
      if (!next || next.dueMs > untilMs) break;
      await this.step();
      steps += 1;
    }
    this.nowMs = Math.max(this.nowMs, untilMs);
    return steps;
  }

  /** Resolves once nothing is in flight and the event loop stayed idle for `idleTurns` turns without new timers. */
  async quiescent(): Promise<void> {
    for (let idle = 0; idle < this.idleTurns; ) {
      if (this.inFlight > 0) {
        await new Promise<void>((resolve) => this.settledWaiters.push(resolve));
        idle = 0;
        continue;
      }
      const scheduled = this.nextSequence;
      await nextTurn();
      idle = this.nextSequence === scheduled && this.inFlight === 0 ? idle + 1 : 0;
    }
  }

  private peekLive(): VirtualTimer | undefined {
    while (this.heap.length > 0 && this.heap[0]!.cancelled) this.pop();
    return this.heap[0];
  }

  private popLive(): VirtualTimer | undefined {
    return this.peekLive() ? this.pop() : undefined;
  }

  private push(timer: VirtualTimer): void {
    const { heap } = this;
    heap.push(timer);
    for (let index = heap.length - 1; index > 0; ) {
      const parent = (index - 1) >> 1;
      if (!earlier(heap[index]!, heap[parent]!)) break;
      [heap[index], heap[parent]] = [heap[parent]!, heap[index]!];
      index = parent;
    }
  }

  private pop(): VirtualTimer | undefined {
    const { heap } = this;
    const top = heap[0];
    const last = heap.pop();
    if (top === undefined || last === undefined || heap.length === 0) return top;
    heap[0] = last;
    for (let index = 0; ; ) {
      const left = index * 2 + 1;
      const right = left + 1;
      let first = index;
      if (left < heap.length && earlier(heap[left]!, heap[first]!)) first = left;
      if (right < heap.length && earlier(heap[right]!, heap[first]!)) first = right;
      if (first === index) break;
      [heap[index], heap[first]] = [heap[first]!, heap[index]!];
      index = first;
    }
    return top;
  }
}

function earlier(a: VirtualTimer, b: VirtualTimer): boolean {
  return a.dueMs < b.dueMs || (a.dueMs === b.dueMs && a.sequence < b.sequence);
}
