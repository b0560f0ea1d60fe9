// Live progress of a campaign: counts by job state overall, per cell and per device, the latest step of running
// jobs, and the results recorded so far.
import type { DeviceService } from '../devices/device.service.js';
import { ACTIVE_JOB_STATES } from '../jobs/job-state.js';
import type { JobService, JobView } from '../jobs/job.service.js';
import type { JobReportService } from '../jobs/job-report.service.js';
import { TimeSlicer } from '../common/cooperative.js';
import { campaignSizeOf, iterateMatrix, type CampaignCell } from './campaign-matrix.js';
import type { CampaignJobRow, CampaignRepository, CampaignRow } from './campaign.repository.js';
import {
  countStates,
  resultView,
  specOf,
  summaryOf,
  type CampaignResultView,
  type CampaignSummary,
  type CampaignView,
  type CellJobStatus,
  type CellStatus,
  type DeviceRef,
  type DeviceStatus,
} from './campaign-views.js';

export interface ProgressSources {
  readonly campaigns: CampaignRepository;
  readonly jobs: JobService;
  readonly devices: DeviceService;
  readonly reports: JobReportService;
}

interface Entry {
  row: CampaignJobRow;
  readonly job: JobView;
}

/** Job ids per lookup: one query and this many views (~50 µs each) between two chances for the event loop. */
const LOOKUP_CHUNK = 50;

/**
 * The campaign's jobs (in `rows` order) with their views, looked up a chunk at a time with the event loop given
 * back between chunks (a campaign has up to MAX_CAMPAIGN_JOBS jobs). Rows whose job is gone are left out.
 */
export async function campaignJobsWithViews(
  rows: readonly CampaignJobRow[],
  jobs: Pick<JobService, 'getMany'>,
  slicer = new TimeSlicer(),
): Promise<Entry[]> {
  const entries: Entry[] = [];
  for (let start = 0; start < rows.length; start += LOOKUP_CHUNK) {
    const chunk = rows.slice(start, start + LOOKUP_CHUNK);
    const views = new Map((await jobs.getMany(chunk.map((row) => row.job_id))).map((job) => [job.id, job]));
    for (const row of chunk) {
      const job = views.get(row.job_id);
      if (job) entries.push({ row, job });
    }
    await slicer.tick();
  }
  return entries;
}

async function entriesOf(campaignId: string, sources: Pick<ProgressSources, 'campaigns' | 'jobs'>, slicer: TimeSlicer): Promise<Entry[]> {
  return campaignJobsWithViews(await sources.campaigns.listJobs(campaignId), sources.jobs, slicer);
}

export async function listCampaignSummaries(
  rows: readonly CampaignRow[],
  sources: Pick<ProgressSources, 'campaigns' | 'jobs'>,
): Promise<CampaignSummary[]> {
  const slicer = new TimeSlicer();
  const summaries: CampaignSummary[] = [];
  for (const row of rows) {
    const entries = await entriesOf(row.id, sources, slicer);
    summaries.push(summaryOf(row, campaignSizeOf(specOf(row)).cells, countStates(entries.map((entry) => entry.job.state))));
  }
  return summaries;
}

export async function buildCampaignView(row: CampaignRow, sources: ProgressSources): Promise<CampaignView> {
  const slicer = new TimeSlicer();
  const spec = specOf(row);
  const cells: CampaignCell[] = [];
  for (const cell of iterateMatrix(spec)) {
    cells.push(cell);
    await slicer.tick();
  }
  const entries = await entriesOf(row.id, sources, slicer);
  const results: CampaignResultView[] = [];
  for (const resultRow of await sources.campaigns.listResults(row.id)) {
    results.push(resultView(resultRow));
    await slicer.tick();
  }
  const validity = new Map(results.map((result) => [result.jobId, result.valid]));
  const byCell = new Map<string, CellJobStatus[]>();
  for (const { row: jobRow, job } of entries) {
    const progress = ACTIVE_JOB_STATES.includes(job.state) ? await latestStep(sources.reports, job.id) : undefined;
    const status: CellJobStatus = {
      jobId: job.id,
      deviceId: jobRow.pinned_device_id ?? job.deviceId,
      state: job.state,
      attempt: job.attempt,
      waitingReason: job.waitingReason,
      ...(progress ? { progress } : {}),
      ...(validity.has(job.id) ? { valid: validity.get(job.id) } : {}),
    };
    const cellJobs = byCell.get(jobRow.cell_id);
    if (cellJobs) cellJobs.push(status);
    else byCell.set(jobRow.cell_id, [status]);
    await slicer.tick();
  }
  const cellStatuses: CellStatus[] = [];
  for (const cell of cells) {
    const jobs = byCell.get(cell.id) ?? [];
    cellStatuses.push({ id: cell.id, label: cell.label, params: cell.params, counts: countStates(jobs.map((job) => job.state)), jobs });
    await slicer.tick();
  }
  const selected = JSON.parse(row.devices_json) as DeviceRef[];
  return {
    ...summaryOf(row, cells.length, countStates(entries.map((entry) => entry.job.state))),
    spec,
    devices: selected,
    cells: cellStatuses,
    perDevice: await perDeviceStatus(entries, cellStatuses, selected, sources.devices),
    results,
  };
}

async function latestStep(reports: JobReportService, jobId: string): Promise<{ step: number; totalSteps: number } | undefined> {
  const progress = await reports.listProgress(jobId);
  const latest = progress[progress.length - 1];
  return latest ? { step: latest.step, totalSteps: latest.totalSteps } : undefined;
}

async function perDeviceStatus(
  entries: readonly Entry[],
  cells: ReadonlyArray<{ readonly id: string; readonly label: string }>,
  selected: readonly DeviceRef[],
  devices: DeviceService,
): Promise<DeviceStatus[]> {
  const byDevice = new Map<string, Entry[]>();
  for (const ref of selected) byDevice.set(ref.id, []);
  for (const entry of entries) {
    const deviceId = entry.row.pinned_device_id ?? entry.job.deviceId;
    if (deviceId === null) continue;
    const deviceEntries = byDevice.get(deviceId);
    if (deviceEntries) deviceEntries.push(entry);
    else byDevice.set(deviceId, [entry]);
  }
  const labels = new Map(cells.map((cell) => [cell.id, cell.label]));
  const statuses: DeviceStatus[] = [];
  for (const [deviceId, deviceEntries] of byDevice) {
    const displayName = selected.find((ref) => ref.id === deviceId)?.displayName ?? (await devices.get(deviceId))?.displayName ?? deviceId;
    const active = deviceEntries.find((entry) => ACTIVE_JOB_STATES.includes(entry.job.state));
    statuses.push({
      id: deviceId,
      displayName,
      counts: countStates(deviceEntries.map((entry) => entry.job.state)),
      runningCell: active ? (labels.get(active.row.cell_id) ?? active.row.cell_id) : null,
    });
  }
  return statuses;
}
