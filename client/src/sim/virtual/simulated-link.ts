// A virtual device's outgoing network: latency with jitter, loss, duplicates, reordering and partitions, applied to
// every envelope the agent sends (through the agent's LinkShim hook). Durations in the model are simulated
// milliseconds; the link waits them divided by the time scale.
import { realClock, type Clock, type TimerHandle } from '../../agent/clock.js';
import type { LinkShim } from '../../agent/connection.js';
import type { Rng } from '../../engine/util/rng.js';

export interface LinkModel {
  readonly latencyMs: number;
  readonly jitterMs: number;
  /** 0..1: the envelope is not sent; the agent's request timeout and retry deal with it. */
  readonly lossRate: number;
  /** 0..1: the envelope is sent twice. */
  readonly duplicateRate: number;
  /** 0..1: the envelope is held back and sent after the next one. */
  readonly reorderRate: number;
  /** Upstream bandwidth (kilobits per second = bits per ms); adds size/bandwidth to each envelope's delay. Absent = unlimited. */
  readonly bandwidthKbps?: number;
}

export const PERFECT_LINK: LinkModel = { latencyMs: 0, jitterMs: 0, lossRate: 0, duplicateRate: 0, reorderRate: 0 };

export interface LinkCounters {
  sent: number;
  lost: number;
  duplicated: number;
  reordered: number;
}

export type Schedule = (run: () => void, wallMs: number) => void;

export interface SimulatedLinkOptions {
  readonly timeScale: number;
  readonly random: Rng;
  /** The time source of delays and partitions (default the real clock). */
  readonly clock?: Clock;
  /** How a delayed send is scheduled (tests inject a manual clock); default the clock's setTimeout. */
  readonly schedule?: Schedule;
  /** Longest a held-back envelope waits for a successor before it goes out anyway (wall ms; default 50). */
  readonly maxHoldMs?: number;
}

export class SimulatedLink implements LinkShim {
  readonly counters: LinkCounters = { sent: 0, lost: 0, duplicated: 0, reordered: 0 };
  private current: LinkModel;
  private partitioned = false;
  private healTimer: TimerHandle | undefined;
  private held: (() => void) | undefined;
  private readonly listeners: Array<(reachable: boolean) => void> = [];
  private readonly schedule: Schedule;
  private readonly clock: Clock;

  constructor(
    model: LinkModel,
    private readonly options: SimulatedLinkOptions,
  ) {
    this.current = { ...model };
    this.clock = options.clock ?? realClock;
    this.schedule = options.schedule ?? ((run, wallMs) => void this.clock.setTimeout(run, wallMs, { unref: true }));
  }

  get model(): LinkModel {
    return this.current;
  }

  get isPartitioned(): boolean {
    return this.partitioned;
  }

  setModel(change: Partial<LinkModel>): void {
    this.current = { ...this.current, ...change };
  }

  watchReachability(listener: (reachable: boolean) => void): () => void {
    this.listeners.push(listener);
    // An agent restarted during a partition must not connect through it.
    if (this.partitioned) listener(false);
    return () => {
      const at = this.listeners.indexOf(listener);
      if (at >= 0) this.listeners.splice(at, 1);
    };
  }

  send(transmit: () => void, bytes = 0): void {
    const random = (): number => this.options.random.next();
    if (this.partitioned || random() < this.current.lossRate) {
      this.counters.lost += 1;
      return;
    }
    const copies = random() < this.current.duplicateRate ? 2 : 1;
    if (copies === 2) this.counters.duplicated += 1;
    const deliver = (): void => {
      for (let copy = 0; copy < copies; copy++) {
        if (this.partitioned) return;
        this.counters.sent += 1;
        transmit();
      }
    };
    if (this.held === undefined && random() < this.current.reorderRate) {
      this.counters.reordered += 1;
      this.holdBack(deliver);
      return;
    }
    const delay = this.delayWallMs(bytes);
    const previous = this.held;
    this.held = undefined;
    this.after(delay, deliver);
    // The held-back envelope goes out right behind this one.
    if (previous) this.after(delay, previous);
  }

  /** Cuts the link for `wallMs`: the connection drops and cannot reconnect until it heals. */
  partition(wallMs: number): void {
    this.clock.clearTimeout(this.healTimer);
    this.healTimer = this.clock.setTimeout(() => this.heal(), wallMs, { unref: true });
    if (this.partitioned) return;
    this.partitioned = true;
    this.held = undefined;
    for (const listener of [...this.listeners]) listener(false);
  }

  heal(): void {
    this.clock.clearTimeout(this.healTimer);
    this.healTimer = undefined;
    if (!this.partitioned) return;
    this.partitioned = false;
    for (const listener of [...this.listeners]) listener(true);
  }

  /** Stops pending timers (the device is gone). */
  dispose(): void {
    this.clock.clearTimeout(this.healTimer);
    this.healTimer = undefined;
    this.held = undefined;
  }

  private holdBack(deliver: () => void): void {
    this.held = deliver;
    this.schedule(() => {
      if (this.held !== deliver) return;
      this.held = undefined;
      deliver();
    }, this.options.maxHoldMs ?? 50);
  }

  private delayWallMs(bytes: number): number {
    const { latencyMs, jitterMs, bandwidthKbps } = this.current;
    const transferMs = bandwidthKbps && bandwidthKbps > 0 ? (bytes * 8) / bandwidthKbps : 0;
    const simMs = Math.max(0, latencyMs + jitterMs * (this.options.random.next() * 2 - 1)) + transferMs;
    return simMs / this.options.timeScale;
  }

  private after(wallMs: number, run: () => void): void {
    if (wallMs <= 0) run();
    else this.schedule(run, wallMs);
  }
}
