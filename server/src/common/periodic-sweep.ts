// A Nest provider that runs one sweep every `intervalMs()` on the coordinator's clock, never two at once, and waits
// for the running one on shutdown. Subclasses say what a sweep does.
import type { OnApplicationBootstrap, OnModuleDestroy } from '@nestjs/common';
import { clockDate, realClock, type Clock, type TimerHandle } from './clock.js';

export abstract class PeriodicSweep implements OnApplicationBootstrap, OnModuleDestroy {
  private timer: TimerHandle | undefined;
  private running = false;
  private sweeping: Promise<void> | undefined;

  constructor(protected readonly clock: Clock = realClock) {}

  protected abstract intervalMs(): number;

  protected abstract sweepOnce(now: Date): Promise<void>;

  onApplicationBootstrap(): void {
    this.running = true;
    this.schedule();
  }

  async onModuleDestroy(): Promise<void> {
    this.running = false;
    this.clock.clearTimeout(this.timer);
    this.timer = undefined;
    await this.sweeping;
  }

  /** One sweep (skipped while the previous one still runs); resolves when it is done. */
  sweep(now = clockDate(this.clock)): Promise<void> {
    this.sweeping ??= this.sweepOnce(now).finally(() => {
      this.sweeping = undefined;
    });
    return this.sweeping;
  }

  /** The next tick one period after this one is scheduled, as setInterval would (a running sweep is not awaited). */
  private schedule(): void {
    this.timer = this.clock.setTimeout(
      () => {
        if (!this.running) return;
        this.schedule();
        void this.sweep();
      },
      this.intervalMs(),
      { unref: true },
    );
  }
}
