// Live progress of a campaign: counts by job state overall, per cell and per device, the latest step of running
// jobs, and the results recorded so far.
import type { DeviceService } from '../devices/device.service.js';
import { ACTIVE_JOB_STATES } from '../jobs/job-state.js';
import type { JobService, JobView } from '../jobs/job.service.js';
import type { JobReportService } from '../jobs/job-report.service.js';
import { expandMatrix } from './campaign-matrix.js';
import type { CampaignJobRow, CampaignRepository, CampaignRow } from './campaign.repository.js';
import {
  countStates,
  resultView,
  specOf,
  summaryOf,
  type CampaignSummary,
  type CampaignView,
  type CellJobStatus,
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
  readonly row: CampaignJobRow;
  readonly job: JobView;
}

async function entriesOf(campaignId: string, sources: Pick<ProgressSources, 'campaigns' | 'jobs'>): Promise<Entry[]> {
  const entries: Entry[] = [];
  for (const row of await sources.campaigns.listJobs(campaignId)) {
    const job = await sources.jobs.get(row.job_id);
    if (job) entries.push({ row, job });
  }
  return entries;
}

export async function listCampaignSummaries(
  rows: readonly CampaignRow[],
  sources: Pick<ProgressSources, 'campaigns' | 'jobs'>,
): Promise<CampaignSummary[]> {
  const summaries: CampaignSummary[] = [];
  for (const row of rows) {
    const entries = await entriesOf(row.id, sources);
    summaries.push(summaryOf(row, expandMatrix(specOf(row)), countStates(entries.map((entry) => entry.job.state))));
  }
  return summaries;
}

export async function buildCampaignView(row: CampaignRow, sources: ProgressSources): Promise<CampaignView> {
  const spec = specOf(row);
  const cells = expandMatrix(spec);
  const entries = await entriesOf(row.id, sources);
  const results = (await sources.campaigns.listResults(row.id)).map(resultView);
  const validity = new Map(results.map((result) => [result.jobId, result.valid]));
  const statuses = new Map<string, CellJobStatus>();
  for (const { row: jobRow, job } of entries) {
    const progress = ACTIVE_JOB_STATES.includes(job.state) ? await latestStep(sources.reports, job.id) : undefined;
    statuses.set(job.id, {
      jobId: job.id,
      deviceId: jobRow.pinned_device_id ?? job.deviceId,
      state: job.state,
      attempt: job.attempt,
      waitingReason: job.waitingReason,
      ...(progress ? { progress } : {}),
      ...(validity.has(job.id) ? { valid: validity.get(job.id) } : {}),
    });
  }
  const cellStatuses = cells.map((cell) => {
    const jobs = entries.filter((entry) => entry.row.cell_id === cell.id).map((entry) => statuses.get(entry.job.id)!);
    return { id: cell.id, label: cell.label, params: cell.params, counts: countStates(jobs.map((job) => job.state)), jobs };
  });
  const selected = JSON.parse(row.devices_json) as DeviceRef[];
  return {
    ...summaryOf(row, cells, countStates(entries.map((entry) => entry.job.state))),
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
    byDevice.set(deviceId, [...(byDevice.get(deviceId) ?? []), entry]);
  }
  const statuses: DeviceStatus[] = [];
  for (const [deviceId, deviceEntries] of byDevice) {
    const displayName = selected.find((ref) => ref.id === deviceId)?.displayName ?? (await devices.get(deviceId))?.displayName ?? deviceId;
    const active = deviceEntries.find((entry) => ACTIVE_JOB_STATES.includes(entry.job.state));
    statuses.push({
      id: deviceId,
      displayName,
      counts: countStates(deviceEntries.map((entry) => entry.job.state)),
      runningCell: active ? (cells.find((cell) => cell.id === active.row.cell_id)?.label ?? active.row.cell_id) : null,
    });
  }
  return statuses;
}
