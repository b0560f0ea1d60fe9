// REST shapes of benchmark campaigns: the summary in the list, the whole campaign with per-cell and per-device
// status and its results, and the campaign spec as the coordinator normalised it (defaults filled in, every matrix
// axis a list). The spec's request form is the campaign spec schema itself (server/src/campaigns/campaign-spec.ts),
// shared with the CLI's file check.
import { z } from 'zod';
import { BenchmarkResultDto } from './benchmark.dto.js';
import { LabelsDto, Timestamp, countsBy } from './common.dto.js';
import { JOB_STATE_NAMES, JobStateDto } from './job.dto.js';
import { restDto } from './registry.js';

const int = z.number().int();

export const CAMPAIGN_STATE_NAMES = ['running', 'completed', 'cancelled'] as const;
export const CampaignStateDto = z.enum(CAMPAIGN_STATE_NAMES);

export const JobCountsDto = restDto(
  'JobCounts',
  countsBy([...JOB_STATE_NAMES, 'total']),
  "A campaign's jobs counted by state, and in all.",
);
export type JobCountsDto = z.output<typeof JobCountsDto>;

export const CampaignSpecDto = restDto(
  'CampaignSpec',
  z.strictObject({
    name: z.string(),
    measure: z.enum(['kernel', 'training-step', 'training-run']),
    matrix: z.strictObject({
      model: z.array(z.string()).optional(),
      method: z.array(z.string()).optional(),
      scheme: z.array(z.string()).optional(),
      density: z.array(z.number()),
      batchSize: z.array(int).optional(),
      backend: z.array(z.string()).optional(),
      op: z.array(z.string()).optional(),
      shape: z.array(z.array(int)).optional(),
    }),
    /** TrainConfig fragment shared by the cells of training kinds. */
    base: z.record(z.string(), z.unknown()).optional(),
    devices: z.strictObject({
      selector: z.strictObject({ labels: LabelsDto.optional(), backend: z.string().optional(), minMemoryMb: int.optional() }),
      placement: z.enum(['every', 'spread']),
      count: int.optional(),
    }),
    runRules: z.strictObject({
      warmupIterations: int,
      minIterations: int,
      minDurationMs: int,
      percentiles: z.array(z.number()),
      cooldownMs: int,
      sustained: z.strictObject({ durationMs: int, windowMs: int }).optional(),
    }),
    maxAttempts: int.optional(),
    /** Training-run cells may report their masks (churn and ITOP exploration rate go into the report). */
    report: z.strictObject({ masks: z.enum(['every', 'final', 'off']), fullMaskEvery: int.optional() }).optional(),
  }),
  'The campaign spec as the coordinator normalised it: defaults filled in, every matrix axis a list.',
);
export type CampaignSpecDto = z.output<typeof CampaignSpecDto>;

export const CellParamsDto = restDto(
  'CellParams',
  z.strictObject({
    measure: z.enum(['kernel', 'training-step', 'training-run']),
    op: z.string().optional(),
    shape: z.array(int).optional(),
    model: z.string().optional(),
    method: z.string().optional(),
    scheme: z.string(),
    density: z.number(),
    batchSize: int.optional(),
    /** Requested backend; absent = the agent's choice. */
    backend: z.string().optional(),
  }),
);
export type CellParamsDto = z.output<typeof CellParamsDto>;

export const CellJobStatusDto = restDto(
  'CellJobStatus',
  z.strictObject({
    jobId: z.string(),
    /** The pinned device, else the device running it (null while a spread job waits). */
    deviceId: z.string().nullable(),
    state: JobStateDto,
    attempt: int,
    waitingReason: z.string().nullable(),
    progress: z.strictObject({ step: int, totalSteps: int }).optional(),
    valid: z.boolean().optional(),
  }),
);
export type CellJobStatusDto = z.output<typeof CellJobStatusDto>;

export const CellStatusDto = restDto(
  'CellStatus',
  z.strictObject({
    id: z.string(),
    label: z.string(),
    params: CellParamsDto,
    counts: JobCountsDto,
    jobs: z.array(CellJobStatusDto),
  }),
);
export type CellStatusDto = z.output<typeof CellStatusDto>;

export const DeviceRefDto = restDto('DeviceRef', z.strictObject({ id: z.string(), displayName: z.string() }));

export const DeviceStatusDto = restDto(
  'CampaignDeviceStatus',
  DeviceRefDto.extend({
    counts: JobCountsDto,
    /** Label of the cell it runs now, if any. */
    runningCell: z.string().nullable(),
  }),
);
export type DeviceStatusDto = z.output<typeof DeviceStatusDto>;

export const DeviceSnapshotDto = restDto(
  'DeviceSnapshot',
  DeviceRefDto.extend({
    platform: z.string(),
    arch: z.string(),
    cpuModel: z.string(),
    deviceModel: z.string(),
    cores: int,
    memoryBytes: int,
    chosenBackend: z.string(),
    wasmSimd: z.boolean(),
    wasmThreads: z.boolean(),
    runtime: z.string(),
    agentVersion: z.string(),
  }),
  'The device as it was when a result was recorded.',
);
export type DeviceSnapshotDto = z.output<typeof DeviceSnapshotDto>;

export const CampaignResultDto = restDto(
  'CampaignResult',
  z.strictObject({
    cellId: z.string(),
    jobId: z.string(),
    deviceId: z.string(),
    attempt: int,
    jobState: z.string(),
    valid: z.boolean(),
    reasons: z.array(z.string()),
    benchmark: BenchmarkResultDto.nullable(),
    device: DeviceSnapshotDto,
    error: z.string().nullable(),
    recordedAt: Timestamp,
  }),
  'One recorded (cell, device) result of a campaign.',
);
export type CampaignResultDto = z.output<typeof CampaignResultDto>;

const campaignSummaryShape = {
  id: z.string(),
  name: z.string(),
  /** The spec's measure: kernel, training-step or training-run. */
  measure: z.string(),
  state: CampaignStateDto,
  /** The spec's placement: every or spread. */
  placement: z.string(),
  cellCount: int,
  counts: JobCountsDto,
  createdAt: Timestamp,
  updatedAt: Timestamp,
  finishedAt: Timestamp.nullable(),
};

export const CampaignSummaryDto = restDto(
  'CampaignSummary',
  z.strictObject(campaignSummaryShape),
  'A campaign with its state and job counts.',
);
export type CampaignSummaryDto = z.output<typeof CampaignSummaryDto>;

export const CampaignDto = restDto(
  'Campaign',
  z.strictObject({
    ...campaignSummaryShape,
    spec: CampaignSpecDto,
    /** Placement every: the devices selected at start. */
    devices: z.array(DeviceRefDto),
    cells: z.array(CellStatusDto),
    perDevice: z.array(DeviceStatusDto),
    results: z.array(CampaignResultDto),
  }),
  'A campaign: state, counts by job state, per-cell and per-device status and the results so far.',
);
export type CampaignDto = z.output<typeof CampaignDto>;
