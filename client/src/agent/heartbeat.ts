// Periodic heartbeats with telemetry at the interval the coordinator asks for (it may change it in each ack).
import type { Heartbeat, HeartbeatAck, Telemetry } from '../../../protocol/src/index.js';
import { realClock, type Clock, type TimerHandle } from './clock.js';
import { collectTelemetry } from './telemetry.js';

export interface HeartbeatOptions {
  /** Sends one heartbeat and resolves with the coordinator's ack. */
  readonly send: (heartbeat: Heartbeat) => Promise<HeartbeatAck>;
  readonly runningJobIds: () => string[];
  readonly onError?: (error: unknown) => void;
  /** Lower bound protecting the device from a misconfigured coordinator. */
  readonly minIntervalMs?: number;
  /** Where telemetry comes from; default: this host's sensors. */
  readonly telemetry?: () => Telemetry;
  /** Schedules the beats and stamps them (default the real clock). */
  readonly clock?: Clock;
}

export class HeartbeatLoop {
  private timer: TimerHandle | undefined;
  private intervalMs = 0;
  private running = false;
  /** Bumped by start/stop: a beat still awaiting its ack from an earlier loop must not reschedule. */
  private generation = 0;

  constructor(private readonly options: HeartbeatOptions) {}

  get currentIntervalMs(): number {
    return this.intervalMs;
  }

  start(intervalMs: number): void {
    this.stop();
    this.generation += 1;
    this.running = true;
    this.intervalMs = this.clamp(intervalMs);
    this.schedule();
  }

  stop(): void {
    this.generation += 1;
    this.running = false;
    this.clock.clearTimeout(this.timer);
    this.timer = undefined;
  }

  private schedule(): void {
    if (!this.running) return;
    const generation = this.generation;
    // A heartbeat timer alone must not keep a finished process alive.
    this.timer = this.clock.setTimeout(() => void this.beat(generation), this.intervalMs, { unref: true });
  }

  private async beat(generation: number): Promise<void> {
    try {
      const ack = await this.options.send({
        sentAtMs: this.clock.now(),
        telemetry: (this.options.telemetry ?? collectTelemetry)(),
        runningJobIds: this.options.runningJobIds(),
      });
      if (ack.heartbeatIntervalMs > 0) this.intervalMs = this.clamp(ack.heartbeatIntervalMs);
    } catch (error) {
      this.options.onError?.(error);
    }
    if (generation === this.generation) this.schedule();
  }

  private get clock(): Clock {
    return this.options.clock ?? realClock;
  }

  private clamp(intervalMs: number): number {
    const floor = this.options.minIntervalMs ?? 100;
    return Math.max(floor, intervalMs > 0 ? intervalMs : 5_000);
  }
}
