// The hot path's presence, in memory: for each device whose connection this node holds, when it was last heard,
// its true deadline, the deadline its row carries and its latest telemetry. The row is written on transitions and
// when its stored deadline runs short: a heartbeat writes it with `flushMs` of slack, so the stored deadline is never
// earlier than the true one and a device that beats steadily is written once per `flushMs`, not once per beat. This
// node marks its own silent devices offline at their true deadline (`silentAt`); the row's deadline is what the other
// nodes (and the leader's sweep, for a node that died) go by.
import type { Telemetry } from '../../../protocol/src/index.js';

export interface LivePresence {
  readonly lastSeenMs: number;
  /** last heard + patience × interval: silent after this. */
  readonly deadlineMs: number;
  /** The `online_until` the row carries (≥ deadlineMs). */
  readonly storedDeadlineMs: number;
  /** The latest telemetry sample as received (decoded only when something reads it), stored or not. */
  readonly telemetry: Telemetry | null;
}

export class PresenceTable {
  private readonly live = new Map<string, LivePresence>();
  private readonly sampledAt = new Map<string, number>();

  /**
   * `patienceMs`: how long after its last heartbeat a device stays online. `flushMs`: slack written into the row's
   * deadline, hence how often a steady device's row is written. `sampleMs`: at most one telemetry sample stored per
   * device per this window (0: every sample).
   */
  constructor(
    private readonly patienceMs: number,
    private readonly flushMs: number,
    private readonly sampleMs: number,
  ) {}

  get(deviceId: string): LivePresence | undefined {
    return this.live.get(deviceId);
  }

  /** The deadline a presence write stores for a contact at `nowMs`. */
  storedDeadlineFor(nowMs: number): number {
    return nowMs + this.patienceMs + this.flushMs;
  }

  /** The row was just written for a contact at `nowMs` (a Hello or a heartbeat that went to the database). */
  written(deviceId: string, nowMs: number, telemetry: Telemetry | null): void {
    const previous = this.live.get(deviceId);
    this.live.set(deviceId, {
      lastSeenMs: nowMs,
      deadlineMs: nowMs + this.patienceMs,
      storedDeadlineMs: this.storedDeadlineFor(nowMs),
      telemetry: telemetry ?? previous?.telemetry ?? null,
    });
  }

  /**
   * A heartbeat at `nowMs` that needs no write: the row already says the device is present past its new deadline.
   * False (nothing recorded) when the row must be written: unknown here, or its stored deadline runs short.
   */
  touch(deviceId: string, nowMs: number, telemetry: Telemetry | null): boolean {
    const entry = this.live.get(deviceId);
    if (!entry || entry.storedDeadlineMs < nowMs + this.patienceMs) return false;
    this.live.set(deviceId, {
      lastSeenMs: nowMs,
      deadlineMs: nowMs + this.patienceMs,
      storedDeadlineMs: entry.storedDeadlineMs,
      telemetry: telemetry ?? entry.telemetry,
    });
    return true;
  }

  /** Whether a telemetry sample taken at `nowMs` goes into the device's history (one per `sampleMs`). */
  sampleDue(deviceId: string, nowMs: number): boolean {
    const last = this.sampledAt.get(deviceId);
    return last === undefined || nowMs - last >= this.sampleMs;
  }

  sampled(deviceId: string, nowMs: number): void {
    this.sampledAt.set(deviceId, nowMs);
  }

  /** The connection closed, or the device went offline, was revoked or moved: its row is the truth again. */
  forget(deviceId: string): void {
    this.live.delete(deviceId);
  }

  /** The device is gone for good (revoked): its sampling window too. */
  forgetAll(deviceId: string): void {
    this.live.delete(deviceId);
    this.sampledAt.delete(deviceId);
  }

  /** Every device's row is the truth again (coordinator start: all offline). */
  clear(): void {
    this.live.clear();
  }

  /** The devices held here whose true deadline passed at `nowMs`, with when each was last heard. */
  silentAt(nowMs: number): Array<{ readonly deviceId: string; readonly lastSeenMs: number }> {
    const silent: Array<{ deviceId: string; lastSeenMs: number }> = [];
    for (const [deviceId, entry] of this.live) if (entry.deadlineMs <= nowMs) silent.push({ deviceId, lastSeenMs: entry.lastSeenMs });
    return silent;
  }
}
