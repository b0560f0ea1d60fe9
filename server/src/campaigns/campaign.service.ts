// Starting and stopping campaigns: a validated spec becomes jobs on the coordinator's queue, one per (cell,
// device) pinned to the devices selected at start (placement every) or per cell and run on any matching device
// (placement spread). Reading a campaign only reads: the supervisor records results as jobs finish.
import { randomUUID } from 'node:crypto';
import { Inject, Injectable, Logger, Optional } from '@nestjs/common';
import { CLOCK, clockDate, realClock, type Clock } from '../common/clock.js';
import { DeviceService } from '../devices/device.service.js';
import { DomainEventBus } from '../events/event-bus.js';
import { JobCancellationService } from '../jobs/job-cancellation.service.js';
import { devicesMatching } from './device-matching.js';
import { JobService } from '../jobs/job.service.js';
import { JobReportService } from '../jobs/job-report.service.js';
import { InvalidInputError } from '../common/validation.js';
import { BatchSizer, TimeSlicer, timed } from '../common/cooperative.js';
import { campaignSizeOf, cellCountIssue, iterateMatrix, jobCountIssue, type CampaignCell } from './campaign-matrix.js';
import { CampaignSpecError, type CampaignSpec } from './campaign-spec.js';
import { CampaignRepository } from './campaign.repository.js';
import { CampaignSupervisor } from './campaign-supervisor.js';
import { buildCampaignView, listCampaignSummaries } from './campaign-progress.js';
import type { CampaignSummary, CampaignView, DeviceRef } from './campaign-views.js';
import { cellJob, type CellJob } from './cell-job-spec.js';
import type { DeviceView } from '../devices/device-view.js';

export { MAX_CAMPAIGN_JOBS } from './campaign-matrix.js';

export type CancelCampaignOutcome = { readonly kind: 'cancelled' | 'already-finished'; readonly view: CampaignView } | { readonly kind: 'not-found' };

/** One job to queue: a cell, and for placement every the device it is pinned to. */
interface PlannedJob {
  readonly cell: CampaignCell;
  readonly job: CellJob;
  readonly device: DeviceRef | undefined;
}

@Injectable()
export class CampaignService {
  private readonly logger = new Logger('Campaigns');
  /** Campaigns whose jobs are being queued; a cancel waits for its campaign's start to finish first. */
  private readonly starts = new Map<string, Promise<unknown>>();

  constructor(
    private readonly campaigns: CampaignRepository,
    private readonly jobs: JobService,
    private readonly devices: DeviceService,
    private readonly cancellation: JobCancellationService,
    private readonly supervisor: CampaignSupervisor,
    private readonly reports: JobReportService,
    private readonly events: DomainEventBus,
    @Optional() @Inject(CLOCK) private readonly clock: Clock = realClock,
  ) {}

  /**
   * Expands and queues the campaign; throws InvalidInputError for a bad spec, when no device matches, or when the
   * campaign would exceed MAX_CAMPAIGN_JOBS. The size is checked from the matrix's shape before anything is
   * expanded (cells first, then cells × runs once the devices are known); the expansion, the per-cell job specs
   * and the inserts then run in slices that give the event loop back (devices' heartbeats go on meanwhile).
   */
  async start(spec: CampaignSpec, now = clockDate(this.clock)): Promise<CampaignView> {
    const size = campaignSizeOf(spec);
    const tooManyCells = cellCountIssue(size);
    if (tooManyCells !== undefined) throw new InvalidInputError([tooManyCells]);
    const { placement, count } = spec.devices;
    const devices = placement === 'every' ? (await this.matchingDevices(spec)).slice(0, count ?? Number.MAX_SAFE_INTEGER) : [];
    if (placement === 'every' && devices.length === 0) {
      throw new InvalidInputError(['devices.selector: no online device matches it (placement every needs devices at start)']);
    }
    const runsPerCell = placement === 'every' ? devices.length : (count ?? 1);
    const tooManyJobs = jobCountIssue(size, runsPerCell, placement === 'every' ? 'devices (placement every)' : 'runs per cell (devices.count)');
    if (tooManyJobs !== undefined) throw new InvalidInputError([tooManyJobs]);

    const id = randomUUID();
    const refs: DeviceRef[] = devices.map((device) => ({ id: device.id, displayName: device.displayName }));
    const slicer = new TimeSlicer();
    const planned = await this.planJobs(spec, id, refs, runsPerCell, slicer);
    const timestamp = now.toISOString();
    const queued = this.supervisor.whileStarting(id, async () => {
      await this.campaigns.insert({
        id,
        name: spec.name,
        measure: spec.measure,
        state: 'running',
        spec_json: JSON.stringify(spec),
        devices_json: JSON.stringify(refs),
        created_at: timestamp,
        updated_at: timestamp,
        finished_at: null,
      });
      try {
        await this.queueJobs(spec, id, planned, slicer);
      } catch (error) {
        await this.abandonStart(id, error);
        throw error;
      }
    });
    this.starts.set(id, queued);
    try {
      await queued;
    } finally {
      this.starts.delete(id);
    }
    this.logger.log(`campaign ${id} (${spec.name}): ${size.cells} cells, ${placement} placement, ${planned.length} jobs`);
    return (await this.get(id))!;
  }

  async list(): Promise<CampaignSummary[]> {
    return listCampaignSummaries(await this.campaigns.list(), { campaigns: this.campaigns, jobs: this.jobs });
  }

  async get(id: string): Promise<CampaignView | undefined> {
    const row = await this.campaigns.findById(id);
    if (!row) return undefined;
    return buildCampaignView(row, { campaigns: this.campaigns, jobs: this.jobs, devices: this.devices, reports: this.reports });
  }

  /** Cancels every unfinished job of the campaign (their devices are told to stop); results so far are kept. */
  async cancel(id: string, now = clockDate(this.clock)): Promise<CancelCampaignOutcome> {
    await this.starts.get(id)?.catch(() => undefined);
    const row = await this.campaigns.findById(id);
    if (!row) return { kind: 'not-found' };
    // Results of jobs that finished just before are recorded first, so the cancel does not overtake them.
    await this.supervisor.sync(id);
    const cancelled = await this.campaigns.transition(id, ['running'], {
      state: 'cancelled',
      updated_at: now.toISOString(),
      finished_at: now.toISOString(),
    });
    if (cancelled) {
      this.events.publish({ type: 'CampaignFinished', campaignId: id, state: 'cancelled' });
      const slicer = new TimeSlicer();
      for (const job of await this.campaigns.listJobs(id)) {
        await this.cancellation.cancel(job.job_id, `campaign ${row.name} cancelled by the operator`);
        await slicer.tick();
      }
    }
    const view = (await this.get(id))!;
    return { kind: cancelled ? 'cancelled' : 'already-finished', view };
  }

  private async matchingDevices(spec: CampaignSpec): Promise<DeviceView[]> {
    return devicesMatching(spec.devices.selector, await this.devices.listPresent()).sort(
      (a, b) => a.displayName.localeCompare(b.displayName) || a.id.localeCompare(b.id),
    );
  }

  /**
   * Every job of the campaign, cell by cell (each cell's job spec built once and validated: a training cell's
   * TrainConfig with the engine's schema), in slices. Throws InvalidInputError with the issues of every bad cell
   * before anything is stored.
   */
  private async planJobs(
    spec: CampaignSpec,
    campaignId: string,
    devices: readonly DeviceRef[],
    runsPerCell: number,
    slicer: TimeSlicer,
  ): Promise<PlannedJob[]> {
    const planned: PlannedJob[] = [];
    const issues: string[] = [];
    for (const cell of iterateMatrix(spec)) {
      try {
        const job = cellJob(spec, cell, campaignId);
        if (spec.devices.placement === 'every') for (const device of devices) planned.push({ cell, job, device });
        else for (let run = 0; run < runsPerCell; run += 1) planned.push({ cell, job, device: undefined });
      } catch (error) {
        if (!(error instanceof CampaignSpecError)) throw error;
        issues.push(...error.issues);
      }
      await slicer.tick();
    }
    if (issues.length > 0) throw new InvalidInputError(issues);
    return planned;
  }

  /**
   * Inserts the jobs (queue order: cell by cell, devices in name order) and their campaign rows in batches, one
   * transaction each, sized to one slice of time. Each job is stamped with the time its batch was queued.
   */
  private async queueJobs(spec: CampaignSpec, campaignId: string, planned: readonly PlannedJob[], slicer: TimeSlicer): Promise<void> {
    const sizer = new BatchSizer();
    for (let start = 0; start < planned.length; ) {
      const batch = planned.slice(start, start + sizer.size);
      const { elapsedMs } = await timed(async () => {
        const submitted = await this.jobs.submitMany(
          batch.map(({ cell, job, device }) => ({
            spec: job.spec,
            name: `${spec.name}: ${cell.label}${device ? ` @ ${device.displayName}` : ''}`.slice(0, 200),
            options: {
              selector: device ? { ...spec.devices.selector, deviceId: device.id } : spec.devices.selector,
              memoryEstimate: job.memoryEstimate,
              maxAttempts: spec.maxAttempts,
            },
          })),
          clockDate(this.clock),
        );
        await this.campaigns.insertJobs(
          submitted.map((job, index) => ({
            campaign_id: campaignId,
            job_id: job.id,
            cell_id: batch[index]!.cell.id,
            pinned_device_id: batch[index]!.device?.id ?? null,
            created_at: job.createdAt,
          })),
        );
      });
      sizer.record(batch.length, elapsedMs);
      start += batch.length;
      await slicer.yield();
    }
  }

  /** A start that failed halfway: the campaign is marked cancelled and the jobs queued so far are cancelled. */
  private async abandonStart(campaignId: string, error: unknown): Promise<void> {
    const reason = `campaign failed to start: ${error instanceof Error ? error.message : String(error)}`;
    this.logger.error(`campaign ${campaignId}: ${reason}`);
    try {
      const timestamp = clockDate(this.clock).toISOString();
      await this.campaigns.transition(campaignId, ['running'], { state: 'cancelled', updated_at: timestamp, finished_at: timestamp });
      for (const job of await this.campaigns.listJobs(campaignId)) await this.cancellation.cancel(job.job_id, reason);
    } catch (cleanup) {
      this.logger.error(`campaign ${campaignId}: cleanup after a failed start failed: ${String(cleanup)}`);
    }
  }
}
