// Discrete-event virtual time for simulations (issue 12, virtual time): a Clock whose time moves only when it is
// stepped, and then straight to the next due timer, once the process is quiescent: all work marked in flight (a
// request awaiting its reply) has settled and the event loop has stayed idle for a few turns: no new timer and, with
// `watchActivity`, no other callback run (a socket read, a promise reaction, a file operation completing) and no
// file or DNS request pending. One timer fires per step, timers due at the same instant in the order they were
// scheduled, so the order of a run's events follows from its inputs and not from wall time.
//
// Quiescence is observed, not proven: work that runs only on real timers (socket.io's pings, a rate limiter's
// expiry) or that stays busy for longer than `maxSettleWallMs` lets the time move anyway; such steps are counted as
// `forcedSteps`, the measure of how far a run may be from deterministic.
import { createHook, executionAsyncResource, type AsyncHook } from 'node:async_hooks';
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
  /**
   * Count every callback the event loop runs (async_hooks) and every pending file or DNS request as activity, so that
   * a turn only counts as idle when nothing at all happened in it (default false: only new timers and holds count).
   */
  readonly watchActivity?: boolean;
  /** Wall ms the clock waits for quiescence before it steps anyway (a forced step; default 2000). */
  readonly maxSettleWallMs?: number;
}

/**
 * Requests that are work in flight outside JavaScript, counted from their creation to their callback (async_hooks
 * init..after): a file operation, a DNS lookup, a socket connecting, writing or shutting down. Counted rather than
 * listed: process.getActiveResourcesInfo() walks every handle (thousands of sockets in a big fleet) on each step,
 * and it does not list a connection attempt at all (a connecting socket shows as a plain TCPSocketWrap). On a loaded
 * machine a refused connection (a device retrying while the coordinator is down) could then fail after the clock
 * had moved on, and its next retry was scheduled from a later time: ci-200 differed after its coordinator restart.
 */
const PENDING_REQUEST = new Set([
  'FSREQCALLBACK',
  'FSREQPROMISE',
  'FILEHANDLECLOSEREQ',
  'GETADDRINFOREQWRAP',
  'GETNAMEINFOREQWRAP',
  'TCPCONNECTWRAP',
  'PIPECONNECTWRAP',
  'WRITEWRAP',
  'SHUTDOWNWRAP',
]);

export class VirtualClock implements Clock {
  private nowMs: number;
  private nextSequence = 0;
  /** A binary min-heap by (dueMs, sequence). */
  private readonly heap: VirtualTimer[] = [];
  private live = 0;
  private inFlight = 0;
  private settledWaiters: Array<() => void> = [];
  private readonly idleTurns: number;
  private readonly maxSettleWallMs: number;
  private activity = 0;
  /** async ids of requests in flight (watchActivity; see PENDING_REQUEST). */
  private readonly requests = new Set<number>();
  private probe: unknown;
  private readonly hook: AsyncHook | undefined;
  private forced = 0;
  private steps = 0;

  constructor(options: VirtualClockOptions = {}) {
    this.nowMs = options.startMs ?? 0;
    this.idleTurns = Math.max(1, options.idleTurns ?? 3);
    this.maxSettleWallMs = options.maxSettleWallMs ?? 2_000;
    if (options.watchActivity) {
      this.hook = createHook({
        init: (asyncId, type) => {
          if (PENDING_REQUEST.has(type)) this.requests.add(asyncId);
        },
        before: (asyncId) => {
          if (executionAsyncResource() !== this.probe) this.activity += 1;
          this.requests.delete(asyncId);
        },
      }).enable();
    }
  }

  /** Stops watching the event loop (watchActivity); the clock still works, on timers and holds alone. */
  dispose(): void {
    this.hook?.disable();
  }

  /** Requests (file, DNS, connect, write) started and not yet answered (watchActivity). */
  get requestsInFlight(): number {
    return this.requests.size;
  }

  /** Steps taken. */
  get stepCount(): number {
    return this.steps;
  }

  /** Steps taken before the process was seen quiescent (it stayed busy for maxSettleWallMs). */
  get forcedSteps(): number {
    return this.forced;
  }

  /** A view of this clock whose timers can all be dropped at once (a coordinator that crashes). */
  scope(): ClockScope {
    return new ClockScope(this);
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
   * time, or undefined when no timer is pending (nothing can happen any more without outside input) or when
   * `unless` says, once quiescent, that no timer should fire any more.
   */
  async step(unless?: () => boolean): Promise<number | undefined> {
    await this.quiescent();
    if (unless?.()) return undefined;
    const timer = this.popLive();
    if (!timer) return undefined;
    this.nowMs = Math.max(this.nowMs, timer.dueMs);
    this.steps += 1;
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

  /** Resolves once nothing is in flight and the event loop stayed idle for `idleTurns` turns (see the options). */
  quiescent(): Promise<void> {
    let deadline = Date.now() + this.maxSettleWallMs;
    return new Promise((resolve) => {
      let idle = 0;
      let scheduled = this.nextSequence;
      let seen = this.activity;
      const turn = (): void => {
        if (this.inFlight > 0) {
          // Held work (a request the runner awaits) is waited for however long it takes.
          idle = 0;
          this.settledWaiters.push(() => {
            deadline = Date.now() + this.maxSettleWallMs;
            this.nextProbe(turn);
          });
          return;
        }
        if (this.nextSequence === scheduled && this.activity === seen) {
          idle += 1;
        } else {
          idle = 0;
        }
        scheduled = this.nextSequence;
        seen = this.activity;
        if (idle >= this.idleTurns && !this.requestsPending()) return resolve();
        if (Date.now() > deadline) {
          this.forced += 1;
          return resolve();
        }
        this.nextProbe(turn);
      };
      this.nextProbe(turn);
    });
  }

  private nextProbe(turn: () => void): void {
    this.probe = setImmediate(turn);
  }

  private requestsPending(): boolean {
    return this.requests.size > 0;
  }

  /** The time of the earliest live timer, if any. */
  nextDueMs(): number | undefined {
    return this.peekLive()?.dueMs;
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

/** Timers set through one scope of a VirtualClock; drop() cancels all of them and ignores any set afterwards. */
export class ClockScope implements Clock {
  private readonly timers = new Set<TimerHandle>();
  private dropped = false;

  constructor(private readonly clock: VirtualClock) {}

  now(): number {
    return this.clock.now();
  }

  setTimeout(run: () => void, ms: number): TimerHandle {
    if (this.dropped) return {} as TimerHandle;
    const handle: TimerHandle = this.clock.setTimeout(() => {
      this.timers.delete(handle);
      run();
    }, ms);
    this.timers.add(handle);
    return handle;
  }

  clearTimeout(handle: TimerHandle | undefined): void {
    if (handle === undefined || !this.timers.delete(handle)) return;
    this.clock.clearTimeout(handle);
  }

  /** Cancels every pending timer of this scope; later ones are never scheduled. */
  drop(): void {
    this.dropped = true;
    for (const handle of this.timers) this.clock.clearTimeout(handle);
    this.timers.clear();
  }
}
