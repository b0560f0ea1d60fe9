// A Nest provider that runs one sweep every `intervalMs()`, never two at once, and waits for the running one on
// shutdown. Subclasses say what a sweep does.
import type { OnApplicationBootstrap, OnModuleDestroy } from '@nestjs/common';

export abstract class PeriodicSweep implements OnApplicationBootstrap, OnModuleDestroy {
  private timer: NodeJS.Timeout | undefined;
  private sweeping: Promise<void> | undefined;

  protected abstract intervalMs(): number;

  protected abstract sweepOnce(now: Date): Promise<void>;

  onApplicationBootstrap(): void {
    this.timer = setInterval(() => void this.sweep(), this.intervalMs());
    this.timer.unref();
  }

  async onModuleDestroy(): Promise<void> {
    clearInterval(this.timer);
    this.timer = undefined;
    await this.sweeping;
  }

  /** One sweep (skipped while the previous one still runs); resolves when it is done. */
  sweep(now = new Date()): Promise<void> {
    this.sweeping ??= this.sweepOnce(now).finally(() => {
      this.sweeping = undefined;
    });
    return this.sweeping;
  }
}
