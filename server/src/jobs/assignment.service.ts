// Matches the oldest queued job with an idle online device, one job per device, and pushes it through a
// JobPusher (the gateway attaches one at start). Runs are serialised and coalesced: any number of triggers
// while a run is in progress cause exactly one more run.
import { Inject, Injectable, Logger } from '@nestjs/common';
import { JobAssignment, type JobAccepted } from '../../../generated/proto/sparsefleet/v1/job.js';
import { COORDINATOR_CONFIG, type CoordinatorConfig } from '../config/coordinator-config.js';
import { DeviceService } from '../devices/device.service.js';
import { JobService, NO_IDLE_DEVICE, type JobView } from './job.service.js';

/** Delivers an assignment to a device and returns its JobAccepted; rejects when it cannot be delivered. */
export interface JobPusher {
  /** Whether this process holds a live connection to the device (only those are offered work). */
  isConnected(deviceId: string): boolean;
  push(deviceId: string, assignment: JobAssignment): Promise<JobAccepted>;
}

interface Claim {
  readonly job: JobView;
  readonly deviceId: string;
}

@Injectable()
export class AssignmentService {
  private readonly logger = new Logger(AssignmentService.name);
  private pusher: JobPusher | undefined;
  private running: Promise<void> | undefined;
  private rerunRequested = false;
  private stopped = false;
  /** Devices that refused a job are not offered it again (kept in memory; a restart forgets them). */
  private readonly refusals = new Map<string, Set<string>>();
  private readonly pushes = new Set<Promise<void>>();

  constructor(
    private readonly jobs: JobService,
    private readonly devices: DeviceService,
    @Inject(COORDINATOR_CONFIG) private readonly config: CoordinatorConfig,
  ) {}

  attachPusher(pusher: JobPusher | undefined): void {
    this.pusher = pusher;
  }

  /** Requests an assignment run on the next turn of the event loop (after the current reply went out). */
  schedule(): void {
    if (this.stopped) return;
    setImmediate(() => void this.run());
  }

  /** Runs assignment now (or once more after the run in progress); resolves when that run is done. */
  run(): Promise<void> {
    if (this.stopped) return Promise.resolve();
    if (this.running) {
      this.rerunRequested = true;
      return this.running;
    }
    this.running = this.loop().finally(() => {
      this.running = undefined;
    });
    return this.running;
  }

  /** Waits for the runs and pushes in flight; used at shutdown and by tests. */
  async settle(): Promise<void> {
    while (this.running || this.pushes.size > 0) {
      await this.running;
      await Promise.allSettled([...this.pushes]);
    }
  }

  /** Stops assigning (coordinator shutdown) and waits for the work in flight. */
  async stop(): Promise<void> {
    this.stopped = true;
    this.pusher = undefined;
    await this.settle();
  }

  /** Returns the jobs a device held to the queue (the device went away). */
  async releaseDevice(deviceId: string, reason: string): Promise<void> {
    for (const job of await this.jobs.listHeld(deviceId)) {
      if (await this.jobs.requeue(job, deviceId, reason)) this.logger.log(`job ${job.id} requeued: ${reason}`);
    }
  }

  private async loop(): Promise<void> {
    do {
      this.rerunRequested = false;
      try {
        const claims = await this.assignOnce();
        for (const claim of claims) this.track(this.deliver(claim));
      } catch (error) {
        this.logger.error(`assignment run failed: ${error instanceof Error ? error.stack : String(error)}`);
      }
    } while (this.rerunRequested);
  }

  private async assignOnce(): Promise<Claim[]> {
    await this.devices.sweepExpired();
    for (const job of await this.jobs.listHeld(null)) {
      if (job.deviceId) await this.jobs.requeue(job, job.deviceId, `device ${job.deviceId} went offline`);
    }
    const queued = await this.jobs.listQueued();
    if (queued.length === 0) return [];
    if (!this.pusher) {
      await this.jobs.setWaitingReason(queued.map((job) => job.id), 'coordinator device channel is not ready');
      return [];
    }
    const pusher = this.pusher;
    const idle = (await this.devices.listIdle()).filter((deviceId) => pusher.isConnected(deviceId));
    const claims: Claim[] = [];
    const waiting: string[] = [];
    for (const job of queued) {
      const refused = this.refusals.get(job.id);
      const index = idle.findIndex((deviceId) => !refused?.has(deviceId));
      if (index < 0) {
        waiting.push(job.id);
        continue;
      }
      const [deviceId] = idle.splice(index, 1);
      if (!(await this.devices.markBusy(deviceId))) continue;
      if (!(await this.jobs.claim(job.id, deviceId))) {
        await this.devices.markIdle(deviceId);
        continue;
      }
      claims.push({ job: { ...job, deviceId, state: 'assigned' }, deviceId });
    }
    await this.jobs.setWaitingReason(waiting, NO_IDLE_DEVICE);
    return claims;
  }

  private async deliver({ job, deviceId }: Claim): Promise<void> {
    const assignment: JobAssignment = JobAssignment.fromPartial({
      jobId: job.id,
      attempt: job.attempt,
      spec: job.spec,
      // The lease lives as long as the device's presence: it ends when the device goes offline.
      leaseMs: this.config.heartbeatPatience * this.config.heartbeatIntervalMs,
    });
    let refusal: string;
    try {
      const accepted = await this.pusherOrThrow().push(deviceId, assignment);
      if (accepted.accepted) {
        this.logger.log(`job ${job.id} attempt ${job.attempt} accepted by device ${deviceId}`);
        return;
      }
      refusal = `device ${deviceId} refused: ${accepted.reason || 'no reason given'}`;
      this.remember(job.id, deviceId);
    } catch (error) {
      refusal = `delivery to device ${deviceId} failed: ${error instanceof Error ? error.message : String(error)}`;
    }
    this.logger.warn(`job ${job.id} attempt ${job.attempt}: ${refusal}`);
    if (await this.jobs.requeue(job, deviceId, refusal)) await this.devices.markIdle(deviceId);
    this.schedule();
  }

  private remember(jobId: string, deviceId: string): void {
    const set = this.refusals.get(jobId) ?? new Set<string>();
    set.add(deviceId);
    this.refusals.set(jobId, set);
  }

  /** Forgets per-job bookkeeping once a job is over. */
  forgetJob(jobId: string): void {
    this.refusals.delete(jobId);
  }

  private track(push: Promise<void>): void {
    const tracked: Promise<void> = push
      .catch((error: unknown) => this.logger.error(`job push failed: ${error instanceof Error ? error.stack : String(error)}`))
      .finally(() => this.pushes.delete(tracked));
    this.pushes.add(tracked);
  }

  private pusherOrThrow(): JobPusher {
    if (!this.pusher) throw new Error('no device channel');
    return this.pusher;
  }
}
