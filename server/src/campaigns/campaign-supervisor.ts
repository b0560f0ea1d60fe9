// Keeps running campaigns moving, driven by domain events: a finished job (JobFinished) is recorded as a result
// with the device's facts and a validity verdict, and the campaign completes once every job is finished; when a
// device leaves or comes back, or a lease expires, queued jobs pinned to a departed device (its lease expired, or
// it has been silent for a whole lease) move to another matching device. A catch-up pass over every running
// campaign runs at start, for what happened while no coordinator was listening. Reads of a campaign never write.
// With several coordinator nodes only the leader supervises (events from every node reach it); a node that
// becomes leader starts with a catch-up pass.
import { Inject, Injectable, Logger, Optional, type OnApplicationBootstrap, type OnModuleDestroy } from '@nestjs/common';
import { CLOCK, clockDate, realClock, type Clock, type TimerHandle } from '../common/clock.js';
import { withDefaults } from '../../../protocol/src/index.js';
import { LEADERSHIP, type Leadership } from '../cluster/leadership.js';
import { COORDINATOR_CONFIG, type CoordinatorConfig } from '../config/coordinator-config.js';
import { DeviceService } from '../devices/device.service.js';
import { DomainEventBus } from '../events/event-bus.js';
import { JobReportService } from '../jobs/job-report.service.js';
import { isTerminal } from '../jobs/job-state.js';
import { JobService, type JobView } from '../jobs/job.service.js';
import { CampaignRepository, type CampaignJobRow, type CampaignRow } from './campaign.repository.js';
import { snapshotDevice, specOf } from './campaign-views.js';
import { judgeResult } from './result-validity.js';
import { CoalescedRun } from '../common/coalesced-run.js';
import { TimeSlicer } from '../common/cooperative.js';
import { campaignJobsWithViews } from './campaign-progress.js';
import { devicesMatching } from './device-matching.js';
import type { CampaignSpec } from './campaign-spec.js';

interface TrackedJob {
  /** Updated in place when the job is re-pinned, so later decisions of the same pass see the new pin. */
  row: CampaignJobRow;
  readonly job: JobView;
}

@Injectable()
export class CampaignSupervisor implements OnApplicationBootstrap, OnModuleDestroy {
  private readonly logger = new Logger('Campaigns');
  /** Syncs are serialised per campaign and coalesced: requests during a sync cause exactly one more. */
  private readonly syncing = new Map<string, CoalescedRun>();
  /** Campaigns whose jobs are still being queued (in slices): a sync would see only part of them. */
  private readonly starting = new Set<string>();
  /** Re-checks armed when a device left: it becomes replaceable once it has been silent for a whole lease. */
  private silenceCheck: TimerHandle | undefined;
  /** When the latest departed device will have been silent for a whole lease (ms since the epoch). */
  private silenceCheckDue = 0;
  /** Passes over every running campaign. */
  private readonly allRunning = new CoalescedRun(async () => {
    try {
      for (const id of await this.campaigns.listIdsInState('running')) await this.sync(id);
    } catch (error) {
      this.logger.error(`campaign pass failed: ${error instanceof Error ? error.stack : String(error)}`);
    }
  }, () => !this.stopped);
  private stopped = false;

  constructor(
    private readonly campaigns: CampaignRepository,
    private readonly jobs: JobService,
    private readonly reports: JobReportService,
    private readonly devices: DeviceService,
    private readonly events: DomainEventBus,
    @Inject(LEADERSHIP) private readonly leadership: Leadership,
    @Inject(COORDINATOR_CONFIG) private readonly config: CoordinatorConfig,
    @Optional() @Inject(CLOCK) private readonly clock: Clock = realClock,
  ) {}

  onApplicationBootstrap(): void {
    this.events.on('JobFinished', ({ jobId }) => this.jobFinished(jobId));
    this.events.on('LeaseExpired', () => this.syncAllRunning());
    this.events.on('DeviceAvailable', () => this.syncAllRunning());
    this.events.on('DeviceGone', () => {
      this.armSilenceCheck();
      return this.syncAllRunning();
    });
    this.leadership.onChange((leader) => {
      if (leader) void this.syncAllRunning();
    });
    void this.syncAllRunning();
  }

  async onModuleDestroy(): Promise<void> {
    this.stopped = true;
    this.clock.clearTimeout(this.silenceCheck);
    this.silenceCheck = undefined;
    await this.allRunning.inProgress;
    await this.settle();
  }

  /** Resolves once no sync is running or asked for (shutdown, tests). */
  async settle(): Promise<void> {
    while (this.syncing.size > 0) await Promise.allSettled([...this.syncing.values()].map((runs) => runs.inProgress));
  }

  /**
   * Runs `body` (queuing a new campaign's jobs, slice by slice) with syncs of that campaign left out until it is
   * done: seeing part of the jobs, a sync could complete the campaign early. A sync follows it.
   */
  async whileStarting<T>(campaignId: string, body: () => Promise<T>): Promise<T> {
    this.starting.add(campaignId);
    try {
      return await body();
    } finally {
      this.starting.delete(campaignId);
      void this.sync(campaignId);
    }
  }

  /** Records finished jobs, re-pins orphaned ones and completes the campaign when all jobs are finished. */
  sync(campaignId: string, now?: Date): Promise<void> {
    let runs = this.syncing.get(campaignId);
    if (!runs) {
      // A failed sync must not stop the ones asked for behind it.
      const work = () =>
        this.syncOnce(campaignId, now ?? clockDate(this.clock)).catch((error: unknown) => {
          this.logger.error(`campaign ${campaignId} sync failed: ${error instanceof Error ? error.stack : String(error)}`);
        });
      runs = new CoalescedRun(work, () => !this.stopped);
      this.syncing.set(campaignId, runs);
    }
    const covering = runs.request();
    // Forgotten once idle, so the map holds only campaigns being synced.
    void covering.finally(() => {
      if (!runs.inProgress && this.syncing.get(campaignId) === runs) this.syncing.delete(campaignId);
    });
    return covering;
  }

  private async jobFinished(jobId: string): Promise<void> {
    if (!this.leadership.isLeader()) return;
    const campaignId = await this.campaigns.findCampaignIdOfJob(jobId);
    if (campaignId) await this.sync(campaignId);
  }

  /**
   * A sync of every running campaign (catch-up at start; a device came or went; a lease expired). Coalesced like
   * assignment: a reconnect storm's thousands of events cause one pass at a time, and one more after it.
   */
  private syncAllRunning(): Promise<void> {
    if (this.stopped || !this.leadership.isLeader()) return Promise.resolve();
    return this.allRunning.request();
  }

  /** One timer, due when the latest departed device has been silent for a whole lease (then it may be replaced). */
  private armSilenceCheck(): void {
    if (this.stopped || !this.leadership.isLeader()) return;
    this.silenceCheckDue = this.clock.now() + this.config.leaseMs + this.config.sweepIntervalMs;
    if (this.silenceCheck === undefined) this.scheduleSilenceCheck();
  }

  private scheduleSilenceCheck(): void {
    this.silenceCheck = this.clock.setTimeout(
      () => {
        this.silenceCheck = undefined;
        void this.syncAllRunning();
        if (!this.stopped && this.silenceCheckDue > this.clock.now()) this.scheduleSilenceCheck();
      },
      Math.max(0, this.silenceCheckDue - this.clock.now()),
      { unref: true },
    );
  }

  private async syncOnce(campaignId: string, now: Date): Promise<void> {
    if (this.starting.has(campaignId)) return;
    const campaign = await this.campaigns.findById(campaignId);
    if (!campaign) return;
    const spec = specOf(campaign);
    // A campaign has up to MAX_CAMPAIGN_JOBS jobs: every loop over them gives the event loop back in slices.
    const slicer = new TimeSlicer();
    const tracked = await this.trackedJobs(campaignId, slicer);
    const recorded = new Set((await this.campaigns.listResults(campaignId)).map((row) => row.job_id));
    for (const entry of tracked) {
      if (!recorded.has(entry.job.id) && (entry.job.state === 'succeeded' || entry.job.state === 'failed')) {
        await this.record(campaign, spec, entry, now);
        await slicer.tick();
      }
    }
    if (campaign.state !== 'running') return;
    // A re-pinned job is queued for other devices: JobService publishes that, and assignment picks it up.
    if (spec.devices.placement === 'every') await this.repinOrphans(campaign, spec, tracked, now, slicer);
    if (tracked.every((entry) => isTerminal(entry.job.state))) {
      const done = await this.campaigns.transition(campaignId, ['running'], {
        state: 'completed',
        updated_at: now.toISOString(),
        finished_at: now.toISOString(),
      });
      if (done) {
        this.logger.log(`campaign ${campaignId} (${campaign.name}) completed`);
        this.events.publish({ type: 'CampaignFinished', campaignId, state: 'completed' });
      }
    }
  }

  private async trackedJobs(campaignId: string, slicer: TimeSlicer): Promise<TrackedJob[]> {
    return campaignJobsWithViews(await this.campaigns.listJobs(campaignId), this.jobs, slicer);
  }

  private async record(campaign: CampaignRow, spec: CampaignSpec, { row, job }: TrackedJob, now: Date): Promise<void> {
    const result = await this.reports.latestResult(job.id);
    const deviceId = result?.deviceId ?? job.deviceId ?? row.pinned_device_id ?? '';
    const device = deviceId ? await this.devices.get(deviceId) : undefined;
    const benchmark = result?.benchmark ? withDefaults('sparsefleet.v1.BenchmarkResult', result.benchmark) : undefined;
    const error = result?.error || (job.state === 'failed' ? job.waitingReason : null) || null;
    const verdict = judgeResult(spec.runRules, { jobState: job.state, error, simulated: result?.simulated }, benchmark, { density: job.spec.benchmark?.density });
    const inserted = await this.campaigns.insertResult({
      campaign_id: campaign.id,
      job_id: job.id,
      cell_id: row.cell_id,
      device_id: deviceId,
      attempt: result?.attempt ?? job.attempt,
      job_state: job.state,
      valid: verdict.valid ? 1 : 0,
      reasons_json: JSON.stringify(verdict.reasons),
      benchmark_json: benchmark ? JSON.stringify(benchmark) : null,
      device_json: JSON.stringify(snapshotDevice(device, deviceId)),
      error,
      recorded_at: now.toISOString(),
    });
    if (inserted) this.events.publish({ type: 'CampaignCellDone', campaignId: campaign.id, jobId: job.id, cellId: row.cell_id });
  }

  /**
   * Queued jobs pinned to a device that left (offline, and either its lease already expired once or it has been
   * silent for a whole lease) move to a matching online device that does not already cover their cell; the one
   * with the fewest unfinished campaign jobs is chosen. Without one they keep waiting for their device.
   */
  private async repinOrphans(
    campaign: CampaignRow,
    spec: CampaignSpec,
    tracked: readonly TrackedJob[],
    now: Date,
    slicer: TimeSlicer,
  ): Promise<number> {
    const present = await this.devices.listPresent(now);
    const presentIds = new Set(present.map((device) => device.id));
    const silent = new Map<string, boolean>();
    const orphans: TrackedJob[] = [];
    for (const entry of tracked) {
      await slicer.tick();
      const pinned = entry.row.pinned_device_id;
      if (entry.job.state !== 'queued' || pinned === null || presentIds.has(pinned)) continue;
      if (entry.job.attempt > 1) {
        orphans.push(entry);
        continue;
      }
      if (!silent.has(pinned)) silent.set(pinned, await this.silentForALease(pinned, now));
      if (silent.get(pinned)) orphans.push(entry);
    }
    if (orphans.length === 0) return 0;
    const candidates = devicesMatching(spec.devices.selector, present);
    // The jobs of each cell (to see which devices cover it) and the unfinished jobs pinned to each device, kept
    // up to date as orphans move, so later decisions of the same pass see the new pins.
    const byCell = new Map<string, TrackedJob[]>();
    const load = new Map<string, number>();
    for (const entry of tracked) {
      const cellJobs = byCell.get(entry.row.cell_id);
      if (cellJobs) cellJobs.push(entry);
      else byCell.set(entry.row.cell_id, [entry]);
      const pinned = entry.row.pinned_device_id;
      if (pinned !== null && !isTerminal(entry.job.state)) load.set(pinned, (load.get(pinned) ?? 0) + 1);
    }
    const loadOf = (deviceId: string) => load.get(deviceId) ?? 0;
    let moved = 0;
    for (const orphan of orphans) {
      await slicer.tick();
      const covering = new Set(
        (byCell.get(orphan.row.cell_id) ?? []).filter((entry) => entry.job.state !== 'cancelled').map((entry) => entry.row.pinned_device_id),
      );
      const replacement = candidates
        .filter((device) => !covering.has(device.id))
        .sort((a, b) => loadOf(a.id) - loadOf(b.id) || a.id.localeCompare(b.id))[0];
      if (!replacement) continue;
      const selector = { ...spec.devices.selector, deviceId: replacement.id };
      if (!(await this.jobs.updateSelector(orphan.job.id, selector, now))) continue;
      await this.campaigns.repin(campaign.id, orphan.job.id, replacement.id);
      this.logger.warn(
        `campaign ${campaign.id}: cell ${orphan.row.cell_id} moved from departed device ${orphan.row.pinned_device_id} to ${replacement.id}`,
      );
      const departed = orphan.row.pinned_device_id!;
      load.set(departed, loadOf(departed) - 1);
      load.set(replacement.id, loadOf(replacement.id) + 1);
      orphan.row = { ...orphan.row, pinned_device_id: replacement.id };
      moved += 1;
    }
    return moved;
  }

  private async silentForALease(deviceId: string, now: Date): Promise<boolean> {
    const device = await this.devices.get(deviceId);
    if (!device || device.revokedAt !== null) return true;
    const lastSeen = device.lastSeen === null ? 0 : Date.parse(device.lastSeen);
    return now.getTime() - lastSeen >= this.config.leaseMs;
  }
}
