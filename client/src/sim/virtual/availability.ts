// Availability churn of one virtual device: a sequence of online sessions and offline gaps, in simulated minutes,
// waited out on the fleet's clock divided by the time scale. The sequence is drawn (seeded) from the profile's
// distributions, or replayed from its availability trace. Going offline is a crash (phones and boards lose power or
// network without a goodbye); coming back is a restart on the same state.
import { realClock, type Clock, type TimerHandle } from '../../agent/clock.js';
import type { Rng } from '../../engine/util/rng.js';
import { sampleDistribution, type AvailabilityTrace, type OnlineInterval, type SessionAvailability } from '../profiles/index.js';

export interface AvailabilityHandlers {
  goOffline(offlineSimMs: number): void;
  comeOnline(): void;
}

/** One online session (from the moment the device is up) and the offline gap after it, in simulated minutes. */
export interface Session {
  readonly onlineMinutes: number;
  readonly offlineMinutes: number;
}

const MINUTE_MS = 60_000;

/** Endless sessions drawn from the profile's distributions. */
export function* drawnSessions(availability: SessionAvailability, random: Rng): Generator<Session> {
  for (;;) {
    const onlineMinutes = Math.max(0, sampleDistribution(availability.sessionMinutes, random));
    const offlineMinutes = Math.max(0, sampleDistribution(availability.offlineMinutes, random));
    yield { onlineMinutes, offlineMinutes };
  }
}

/**
 * The sessions a trace describes from minute 0 of the simulation, when the fleet has just booted: a trace that starts
 * offline gives a first session of length 0. Ends when the device stays online for good (a trace without gaps).
 */
export function* traceSessions(trace: AvailabilityTrace): Generator<Session> {
  const spans = onlineSpans(trace);
  let current = spans.next();
  if (current.done) return;
  if (current.value.onlineMinute > 0) yield { onlineMinutes: 0, offlineMinutes: current.value.onlineMinute };
  for (let next = spans.next(); !next.done; next = spans.next()) {
    yield {
      onlineMinutes: current.value.offlineMinute - current.value.onlineMinute,
      offlineMinutes: next.value.onlineMinute - current.value.offlineMinute,
    };
    current = next;
  }
}

/** The trace's online intervals repeated every period, in minutes from the start; touching intervals merged. */
function* onlineSpans(trace: AvailabilityTrace): Generator<OnlineInterval> {
  let pending: OnlineInterval | undefined;
  for (let repeat = 0; ; repeat += 1) {
    let yielded = false;
    for (const interval of trace.intervals) {
      const shift = repeat * trace.periodMinutes;
      const span = { onlineMinute: interval.onlineMinute + shift, offlineMinute: interval.offlineMinute + shift };
      if (pending && span.onlineMinute <= pending.offlineMinute) {
        pending = { onlineMinute: pending.onlineMinute, offlineMinute: span.offlineMinute };
        continue;
      }
      if (pending) {
        yield pending;
        yielded = true;
      }
      pending = span;
    }
    // A whole period merged into the pending span: the trace has no gap, the device never goes offline.
    if (!yielded && repeat > 0) return;
  }
}

export class AvailabilityCycle {
  private timer: TimerHandle | undefined;
  private stopped = false;

  constructor(
    private readonly sessions: Iterator<Session>,
    private readonly timeScale: number,
    private readonly handlers: AvailabilityHandlers,
    private readonly clock: Clock = realClock,
  ) {}

  /** Starts with an online session (the device was just switched on). */
  start(): void {
    this.scheduleOffline();
  }

  stop(): void {
    this.stopped = true;
    this.clock.clearTimeout(this.timer);
    this.timer = undefined;
  }

  private scheduleOffline(): void {
    const next = this.sessions.next();
    if (next.done) return;
    const { onlineMinutes, offlineMinutes } = next.value;
    const offlineMs = offlineMinutes * MINUTE_MS;
    this.after(onlineMinutes * MINUTE_MS, () => {
      this.handlers.goOffline(offlineMs);
      this.after(offlineMs, () => {
        this.handlers.comeOnline();
        this.scheduleOffline();
      });
    });
  }

  private after(simMs: number, run: () => void): void {
    if (this.stopped) return;
    this.timer = this.clock.setTimeout(
      () => {
        this.timer = undefined;
        if (!this.stopped) run();
      },
      simMs / this.timeScale,
      { unref: true },
    );
  }
}
