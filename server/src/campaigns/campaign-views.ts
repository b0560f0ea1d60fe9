// What operators see of a campaign: the campaign with live counts per cell and per device, and its results.
import { BenchmarkResult, withDefaults } from '../../../protocol/src/index.js';
import type { DeviceView } from '../devices/device-view.js';
import { JOB_STATES, type JobState } from '../jobs/job-state.js';
import type { CampaignState } from '../storage/database.schema.js';
import type { CellParams } from './campaign-matrix.js';
import type { CampaignSpec } from './campaign-spec.js';
import type { CampaignResultRow, CampaignRow } from './campaign.repository.js';

export type JobCounts = Record<JobState, number> & { total: number };

export interface DeviceRef {
  readonly id: string;
  readonly displayName: string;
}

/** The device as it was when a result was recorded (MLPerf-style device metadata). */
export interface DeviceSnapshot extends DeviceRef {
  readonly platform: string;
  readonly arch: string;
  readonly cpuModel: string;
  readonly deviceModel: string;
  readonly cores: number;
  readonly memoryBytes: number;
  readonly chosenBackend: string;
  readonly wasmSimd: boolean;
  readonly wasmThreads: boolean;
  readonly runtime: string;
  readonly agentVersion: string;
}

export interface CampaignResultView {
  readonly cellId: string;
  readonly jobId: string;
  readonly deviceId: string;
  readonly attempt: number;
  readonly jobState: string;
  readonly valid: boolean;
  readonly reasons: string[];
  readonly benchmark: BenchmarkResult | null;
  readonly device: DeviceSnapshot;
  readonly error: string | null;
  readonly recordedAt: string;
}

export interface CellJobStatus {
  readonly jobId: string;
  /** The pinned device, else the device running it (null while a spread job waits). */
  readonly deviceId: string | null;
  readonly state: JobState;
  readonly attempt: number;
  readonly waitingReason: string | null;
  readonly progress?: { readonly step: number; readonly totalSteps: number };
  readonly valid?: boolean;
}

export interface CellStatus {
  readonly id: string;
  readonly label: string;
  readonly params: CellParams;
  readonly counts: JobCounts;
  readonly jobs: CellJobStatus[];
}

export interface DeviceStatus extends DeviceRef {
  readonly counts: JobCounts;
  /** Label of the cell it runs now, if any. */
  readonly runningCell: string | null;
}

export interface CampaignSummary {
  readonly id: string;
  readonly name: string;
  readonly measure: string;
  readonly state: CampaignState;
  readonly placement: string;
  readonly cellCount: number;
  readonly counts: JobCounts;
  readonly createdAt: string;
  readonly updatedAt: string;
  readonly finishedAt: string | null;
}

export interface CampaignView extends CampaignSummary {
  readonly spec: CampaignSpec;
  /** Placement every: the devices selected at start. */
  readonly devices: DeviceRef[];
  readonly cells: CellStatus[];
  readonly perDevice: DeviceStatus[];
  readonly results: CampaignResultView[];
}

export function emptyCounts(): JobCounts {
  const counts = { total: 0 } as JobCounts;
  for (const state of JOB_STATES) counts[state] = 0;
  return counts;
}

export function countStates(states: readonly JobState[]): JobCounts {
  const counts = emptyCounts();
  for (const state of states) {
    counts[state] += 1;
    counts.total += 1;
  }
  return counts;
}

export function snapshotDevice(device: DeviceView | undefined, deviceId: string): DeviceSnapshot {
  const facts = device?.facts;
  return {
    id: deviceId,
    displayName: device?.displayName ?? deviceId,
    platform: facts?.platform ?? '',
    arch: facts?.arch ?? '',
    cpuModel: facts?.cpuModel ?? '',
    deviceModel: facts?.deviceModel ?? '',
    cores: facts?.cores ?? 0,
    memoryBytes: facts?.memoryBytes ?? 0,
    chosenBackend: facts?.chosenBackend ?? '',
    wasmSimd: facts?.wasmSimd ?? false,
    wasmThreads: facts?.wasmThreads ?? false,
    runtime: facts?.runtime ?? '',
    agentVersion: facts?.agentVersion ?? '',
  };
}

export function resultView(row: CampaignResultRow): CampaignResultView {
  return {
    cellId: row.cell_id,
    jobId: row.job_id,
    deviceId: row.device_id,
    attempt: row.attempt,
    jobState: row.job_state,
    valid: row.valid === 1,
    reasons: JSON.parse(row.reasons_json) as string[],
    benchmark: row.benchmark_json === null ? null : withDefaults('sparsefleet.v1.BenchmarkResult', JSON.parse(row.benchmark_json) as Partial<BenchmarkResult>),
    device: JSON.parse(row.device_json) as DeviceSnapshot,
    error: row.error,
    recordedAt: row.recorded_at,
  };
}

export function specOf(row: CampaignRow): CampaignSpec {
  return JSON.parse(row.spec_json) as CampaignSpec;
}

export function summaryOf(row: CampaignRow, cellCount: number, counts: JobCounts): CampaignSummary {
  return {
    id: row.id,
    name: row.name,
    measure: row.measure,
    state: row.state,
    placement: specOf(row).devices.placement,
    cellCount,
    counts,
    createdAt: row.created_at,
    updatedAt: row.updated_at,
    finishedAt: row.finished_at,
  };
}
