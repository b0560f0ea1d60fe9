// Starting and stopping campaigns: a validated spec becomes jobs on the coordinator's queue, one per (cell,
// device) pinned to the devices selected at start (placement every) or per cell and run on any matching device
// (placement spread). Reading a campaign first lets the supervisor record what finished since the last sweep.
import { randomUUID } from 'node:crypto';
import { Injectable, Logger } from '@nestjs/common';
import { DeviceService } from '../devices/device.service.js';
import { AssignmentService } from '../jobs/assignment.service.js';
import { JobCancellationService } from '../jobs/job-cancellation.service.js';
import { devicesMatching } from './device-matching.js';
import { JobService } from '../jobs/job.service.js';
import { JobReportService } from '../jobs/job-report.service.js';
import { InvalidInputError } from '../common/validation.js';
import { expandMatrix, type CampaignCell } from './campaign-matrix.js';
import { CampaignSpecError, type CampaignSpec } from './campaign-spec.js';
import { CampaignRepository } from './campaign.repository.js';
import { CampaignSupervisor } from './campaign-supervisor.js';
import { buildCampaignView, listCampaignSummaries } from './campaign-progress.js';
import type { CampaignSummary, CampaignView, DeviceRef } from './campaign-views.js';
import { cellJob, validateCells } from './cell-job-spec.js';
import type { DeviceView } from '../devices/device-view.js';

/** Upper bound on the jobs one campaign may create (a typo in a matrix should not flood the queue). */
export const MAX_CAMPAIGN_JOBS = 5000;

export type CancelCampaignOutcome = { readonly kind: 'cancelled' | 'already-finished'; readonly view: CampaignView } | { readonly kind: 'not-found' };

@Injectable()
export class CampaignService {
  private readonly logger = new Logger('Campaigns');

  constructor(
    private readonly campaigns: CampaignRepository,
    private readonly jobs: JobService,
    private readonly devices: DeviceService,
    private readonly assignment: AssignmentService,
    private readonly cancellation: JobCancellationService,
    private readonly supervisor: CampaignSupervisor,
    private readonly reports: JobReportService,
  ) {}

  /** Expands and queues the campaign; throws InvalidInputError for a bad spec or when no device matches. */
  async start(spec: CampaignSpec, now = new Date()): Promise<CampaignView> {
    const cells = expandMatrix(spec);
    try {
      validateCells(spec, cells);
    } catch (error) {
      if (error instanceof CampaignSpecError) throw new InvalidInputError(error.issues);
      throw error;
    }
    const { placement, count } = spec.devices;
    const devices = placement === 'every' ? (await this.matchingDevices(spec)).slice(0, count ?? Number.MAX_SAFE_INTEGER) : [];
    if (placement === 'every' && devices.length === 0) {
      throw new InvalidInputError(['devices.selector: no online device matches it (placement every needs devices at start)']);
    }
    const runsPerCell = placement === 'every' ? devices.length : (count ?? 1);
    if (cells.length * runsPerCell > MAX_CAMPAIGN_JOBS) {
      throw new InvalidInputError([`matrix: ${cells.length} cells × ${runsPerCell} runs exceeds ${MAX_CAMPAIGN_JOBS} jobs`]);
    }
    const id = randomUUID();
    const timestamp = now.toISOString();
    const refs: DeviceRef[] = devices.map((device) => ({ id: device.id, displayName: device.displayName }));
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
    for (const cell of cells) {
      if (placement === 'every') {
        for (const device of refs) await this.queueCellJob(spec, id, cell, device);
      } else {
        for (let run = 0; run < runsPerCell; run += 1) await this.queueCellJob(spec, id, cell, undefined);
      }
    }
    this.logger.log(`campaign ${id} (${spec.name}): ${cells.length} cells, ${placement} placement, ${cells.length * runsPerCell} jobs`);
    this.assignment.schedule();
    return (await this.get(id))!;
  }

  async list(): Promise<CampaignSummary[]> {
    return listCampaignSummaries(await this.campaigns.list(), { campaigns: this.campaigns, jobs: this.jobs });
  }

  async get(id: string): Promise<CampaignView | undefined> {
    const row = await this.campaigns.findById(id);
    if (!row) return undefined;
    await this.supervisor.sync(row);
    const fresh = (await this.campaigns.findById(id))!;
    return buildCampaignView(fresh, { campaigns: this.campaigns, jobs: this.jobs, devices: this.devices, reports: this.reports });
  }

  /** Cancels every unfinished job of the campaign (their devices are told to stop); results so far are kept. */
  async cancel(id: string, now = new Date()): Promise<CancelCampaignOutcome> {
    const row = await this.campaigns.findById(id);
    if (!row) return { kind: 'not-found' };
    await this.supervisor.sync(row);
    const cancelled = await this.campaigns.transition(id, ['running'], {
      state: 'cancelled',
      updated_at: now.toISOString(),
      finished_at: now.toISOString(),
    });
    if (cancelled) {
      for (const job of await this.campaigns.listJobs(id)) {
        await this.cancellation.cancel(job.job_id, `campaign ${row.name} cancelled by the operator`);
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

  private async queueCellJob(spec: CampaignSpec, campaignId: string, cell: CampaignCell, device: DeviceRef | undefined): Promise<void> {
    const { spec: jobSpec, memoryEstimate } = cellJob(spec, cell, campaignId);
    const selector = device ? { ...spec.devices.selector, deviceId: device.id } : spec.devices.selector;
    const name = `${spec.name}: ${cell.label}${device ? ` @ ${device.displayName}` : ''}`;
    const job = await this.jobs.submit(jobSpec, name.slice(0, 200), { selector, memoryEstimate, maxAttempts: spec.maxAttempts });
    await this.campaigns.insertJob({
      campaign_id: campaignId,
      job_id: job.id,
      cell_id: cell.id,
      pinned_device_id: device?.id ?? null,
      created_at: job.createdAt,
    });
  }
}
