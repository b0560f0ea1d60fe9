// The periodic sweep: devices past their presence deadline go offline, job attempts past their lease are
// abandoned (requeued or failed); the events those changes publish drive assignment. Deadlines have no event of
// their own, so this one is periodic. With several coordinator nodes only the leader sweeps.
import { Inject, Injectable, Logger, Optional } from '@nestjs/common';
import { CLOCK, realClock, type Clock } from '../common/clock.js';
import { PeriodicSweep } from '../common/periodic-sweep.js';
import { LEADERSHIP, type Leadership } from '../cluster/leadership.js';
import { COORDINATOR_CONFIG, type CoordinatorConfig } from '../config/coordinator-config.js';
import { DeviceService } from '../devices/device.service.js';
import { JobLeaseService } from './job-lease.service.js';

@Injectable()
export class FleetSweeper extends PeriodicSweep {
  private readonly logger = new Logger('Fleet');
  private lastSweepAt: number | undefined;
  private deferredLastTime = false;

  constructor(
    private readonly devices: DeviceService,
    private readonly leases: JobLeaseService,
    @Inject(LEADERSHIP) private readonly leadership: Leadership,
    @Inject(COORDINATOR_CONFIG) private readonly config: CoordinatorConfig,
    @Optional() @Inject(CLOCK) clock: Clock = realClock,
  ) {
    super(clock);
  }

  protected intervalMs(): number {
    return this.config.sweepIntervalMs;
  }

  protected async sweepOnce(now: Date): Promise<void> {
    if (!this.leadership.isLeader()) {
      this.lastSweepAt = undefined;
      // Every node takes its own silent devices offline (their exact deadlines are in its memory only).
      await this.devices.sweepSilentHeldHere(now).catch((error: unknown) => {
        this.logger.error(`presence sweep failed: ${error instanceof Error ? error.stack : String(error)}`);
      });
      return;
    }
    // A sweep that runs far behind its period means this process stalled (GC, blocked event loop, slow disk):
    // renewals may be waiting unread in socket buffers, so leases get one more period before they can expire
    // (never twice in a row, so a process that is always late still expires leases).
    const late = this.lastSweepAt !== undefined && now.getTime() - this.lastSweepAt > 2 * this.config.sweepIntervalMs + 250;
    const stalled = late && !this.deferredLastTime;
    this.deferredLastTime = stalled;
    this.lastSweepAt = now.getTime();
    try {
      const offline = await this.devices.sweepExpired(now);
      // Requeued jobs and freed devices are published as events: assignment picks them up from there.
      const expired = stalled ? 0 : await this.leases.expireDue(now);
      if (stalled) this.logger.debug('[Fleet.Sweep] ran late: lease expiry deferred to the next sweep');
      if (offline.length > 0) this.logger.log(`[Fleet.Sweep] ${offline.length} device(s) went silent: marked offline`);
      if (expired > 0) this.logger.log(`[Fleet.Sweep] ${expired} job lease(s) expired`);
    } catch (error) {
      this.logger.error(`sweep failed: ${error instanceof Error ? error.stack : String(error)}`);
    }
  }
}
