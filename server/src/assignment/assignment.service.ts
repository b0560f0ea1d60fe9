// Matches queued jobs (oldest first) with idle online devices that fit them (selector labels, backend, memory
// with the job's estimate), one job per device, and pushes each with its lease, its resume point and its
// checkpoint cadence. Every job left waiting gets a precise reason. A run is triggered by the events that can make
// a match possible (JobQueued, DeviceAvailable) and once at start (jobs left queued by an earlier run). Runs are
// serialised and coalesced: any number of triggers while a run is in progress cause exactly one more run. Each
// node offers work only to the devices connected to it; the claim is a conditional update, so two nodes never
// assign one job twice.
import { Inject, Injectable, Logger, type OnApplicationBootstrap } from '@nestjs/common';
import { DataEfficiencySource, JobAssignment, RemovalRefresh, withDefaults, type RemovalSet } from '../../../protocol/src/index.js';
import { DatastatsService } from '../datastats/datastats.service.js';
import { CheckpointService } from '../checkpoints/checkpoint.service.js';
import { CoalescedRun } from '../common/coalesced-run.js';
import { TimeSlicer } from '../common/cooperative.js';
import { COORDINATOR_CONFIG, type CoordinatorConfig } from '../config/coordinator-config.js';
import { DeviceService } from '../devices/device.service.js';
import { DomainEventBus } from '../events/event-bus.js';
import { DeviceChannel } from '../jobs/device-channel.js';
import { matchJob } from '../jobs/job-selector.js';
import { JobService, type JobView } from '../jobs/job.service.js';

interface Claim {
  readonly job: JobView;
  readonly deviceId: string;
}

@Injectable()
export class AssignmentService implements OnApplicationBootstrap {
  private readonly logger = new Logger(AssignmentService.name);
  private readonly runs = new CoalescedRun(() => this.runOnce());
  private stopped = false;
  /** Devices that refused a job are not offered it again (kept in memory; a restart forgets them). */
  private readonly refusals = new Map<string, Set<string>>();
  /** The latest refusal of each job, in the device's words: kept in the job's waiting reason while it waits. */
  private readonly lastRefusal = new Map<string, string>();
  private readonly pushes = new Set<Promise<void>>();

  constructor(
    private readonly jobs: JobService,
    private readonly devices: DeviceService,
    private readonly checkpoints: CheckpointService,
    private readonly channel: DeviceChannel,
    private readonly events: DomainEventBus,
    @Inject(COORDINATOR_CONFIG) private readonly config: CoordinatorConfig,
    private readonly datastats: DatastatsService,
  ) {}

  onApplicationBootstrap(): void {
    this.events.on('JobQueued', () => this.schedule());
    this.events.on('DeviceAvailable', () => this.schedule());
    this.events.on('JobFinished', ({ jobId }) => {
      this.refusals.delete(jobId);
      this.lastRefusal.delete(jobId);
    });
    this.schedule();
  }

  /** Requests an assignment run on the next turn of the event loop (after the current reply went out). */
  private schedule(): void {
    if (this.stopped) return;
    setImmediate(() => void this.run());
  }

  /** Runs assignment now (or once more after the run in progress); resolves when that run is done. */
  run(): Promise<void> {
    if (this.stopped) return Promise.resolve();
    return this.runs.request();
  }

  /** Waits for the runs and pushes in flight; used at shutdown and by tests. */
  async settle(): Promise<void> {
    while (this.runs.inProgress || this.pushes.size > 0) {
      await this.runs.inProgress;
      await Promise.allSettled([...this.pushes]);
    }
  }

  /** Stops assigning (coordinator shutdown) and waits for the work in flight. */
  async stop(): Promise<void> {
    this.stopped = true;
    this.channel.attach(undefined);
    await this.settle();
  }

  private async runOnce(): Promise<void> {
    try {
      const claims = await this.assignOnce();
      for (const claim of claims) this.track(this.deliver(claim));
    } catch (error) {
      this.logger.error(`assignment run failed: ${error instanceof Error ? error.stack : String(error)}`);
    }
  }

  private async assignOnce(): Promise<Claim[]> {
    // Most triggers (a Hello, a finished job) find nothing queued: that check comes first, before any sweep or
    // read of the whole fleet (a reconnect storm is thousands of Hellos).
    const queued = await this.jobs.listQueued();
    if (queued.length === 0) return [];
    await this.devices.sweepExpired();
    if (!this.channel.ready) {
      await this.jobs.setWaitingReason(queued.map((job) => job.id), 'coordinator device channel is not ready');
      return [];
    }
    const online = await this.devices.listPresentForMatching((deviceId) => this.channel.isConnected(deviceId));
    const taken = new Set<string>();
    const claims: Claim[] = [];
    const reasons = new Map<string, string[]>();
    // Thousands of queued jobs (a campaign at its cap) must not hold the device channel up: yield between slices.
    const slicer = new TimeSlicer();
    for (const job of queued) {
      await slicer.tick();
      const match = () =>
        matchJob(job.requirements, online, {
          taken,
          refused: this.refusals.get(job.id) ?? new Set(),
          previousDeviceId: job.previousDeviceId,
        });
      let outcome = match();
      // A device this pass read as idle may have been reserved since (by another node) or gone: the job tries the
      // next device that fits, in this pass, instead of waiting for the next trigger.
      while (!('waitingReason' in outcome)) {
        taken.add(outcome.deviceId);
        if (await this.devices.markBusy(outcome.deviceId)) break;
        this.logger.debug(`job ${job.id}: device ${outcome.deviceId} was no longer idle when reserved; trying the next`);
        outcome = match();
      }
      if ('waitingReason' in outcome) {
        const refusal = this.lastRefusal.get(job.id);
        const reason = refusal ? `${outcome.waitingReason} (last: ${refusal})` : outcome.waitingReason;
        const waiting = reasons.get(reason);
        if (waiting) waiting.push(job.id);
        else reasons.set(reason, [job.id]);
        continue;
      }
      const { deviceId } = outcome;
      if (!(await this.jobs.claim(job.id, deviceId))) {
        await this.devices.markIdle(deviceId);
        continue;
      }
      claims.push({ job: { ...job, deviceId, state: 'assigned' }, deviceId });
    }
    for (const [reason, jobIds] of reasons) await this.jobs.setWaitingReason(jobIds, reason);
    return claims;
  }

  private async deliver({ job, deviceId }: Claim): Promise<void> {
    const resume = job.attempt > 1 ? await this.checkpoints.latest(job.id) : undefined;
    try {
      const assignment: JobAssignment = withDefaults('sparsefleet.v1.JobAssignment', {
        jobId: job.id,
        attempt: job.attempt,
        spec: job.spec,
        leaseMs: this.config.leaseMs,
        resume,
        checkpointEverySteps: job.checkpointEverySteps,
        removalSet: await this.removalSetFor(job),
      });
      const accepted = await this.channel.push(deviceId, assignment);
      if (accepted.accepted) {
        const from = resume ? ` (resuming from step ${resume.step})` : '';
        this.logger.log(`job ${job.id} attempt ${job.attempt} accepted by device ${deviceId}${from}`);
        return;
      }
      const refusal = `device ${deviceId} refused: ${accepted.reason || 'no reason given'}`;
      this.remember(job.id, deviceId);
      this.lastRefusal.set(job.id, refusal);
      this.logger.warn(`job ${job.id} attempt ${job.attempt}: ${refusal}`);
      if (await this.jobs.returnRefused(job, deviceId, refusal)) await this.devices.markIdle(deviceId);
    } catch (error) {
      // The device may have received it and started: that counts as an attempt.
      const failure = `delivery to device ${deviceId} failed: ${error instanceof Error ? error.message : String(error)}`;
      this.logger.warn(`job ${job.id} attempt ${job.attempt}: ${failure}`);
      if (await this.jobs.requeue(job, deviceId, failure)) await this.devices.markIdle(deviceId);
    }
  }

  /**
   * The removal set a fleet data-efficient job trains on: the set chosen at submission, or with refresh EPOCH the
   * newest set of its data set (the job would pick that up at its first epoch boundary anyway).
   */
  private async removalSetFor(job: JobView): Promise<RemovalSet | undefined> {
    const efficiency = job.spec.dataEfficiency;
    if (efficiency?.source !== DataEfficiencySource.DATA_EFFICIENCY_SOURCE_FLEET) return undefined;
    const set =
      efficiency.refresh === RemovalRefresh.REMOVAL_REFRESH_EPOCH
        ? await this.datastats.latestRemovalSetOf(efficiency.removalSetId)
        : await this.datastats.removalSetMessage(efficiency.removalSetId);
    if (!set) throw new Error(`removal set ${efficiency.removalSetId} does not exist`);
    return set;
  }

  private remember(jobId: string, deviceId: string): void {
    const set = this.refusals.get(jobId) ?? new Set<string>();
    set.add(deviceId);
    this.refusals.set(jobId, set);
  }

  private track(push: Promise<void>): void {
    const tracked: Promise<void> = push
      .catch((error: unknown) => this.logger.error(`job push failed: ${error instanceof Error ? error.stack : String(error)}`))
      .finally(() => this.pushes.delete(tracked));
    this.pushes.add(tracked);
  }
}
