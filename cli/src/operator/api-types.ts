// The coordinator's REST answers as the CLI reads them. Every field's name and type comes from the coordinator's REST
// DTOs (server/src/api/dto/, imported as types only), so a field renamed there does not compile here. The CLI reads
// a subset: fields it does not show are left out, and fields it can do without are optional (older servers).
import type {
  CreateEnrollmentTokenBody,
  CreatedEnrollmentTokenDto,
  DatasetSpecDto,
  DeviceDetailDto,
  DeviceFactsDto,
  DeviceListEntryDto,
  EnrollmentTokenDto,
  JobDto,
  JobProgressDto,
  JobRequirementsDto,
  JobResultDto,
  JobSelectorDto,
  JobSpecDto,
  JobStateDto,
  LabelsDto,
  MaskStatsDto,
  MaskStatsEntryDto,
  MemoryEstimateDto,
  TelemetryDto,
} from '../../../server/src/api/dto/index.js';

export type Labels = LabelsDto;

export type CreateTokenRequest = CreateEnrollmentTokenBody;

export type CreatedToken = Pick<CreatedEnrollmentTokenDto, 'id' | 'token' | 'expiresAt' | 'maxUses'>;

export type TokenSummary = Pick<EnrollmentTokenDto, 'id' | 'prefix' | 'uses' | 'maxUses' | 'expiresAt' | 'revokedAt'> &
  Partial<Pick<EnrollmentTokenDto, 'labels'>>;

export type DeviceFacts = Partial<DeviceFactsDto>;

export type DeviceTelemetry = Partial<TelemetryDto>;

/** A device from `GET /api/devices` (with `currentJobId`) or `GET /api/devices/:id` (with the whole `currentJob`). */
export type Device = Pick<DeviceListEntryDto, 'id' | 'displayName' | 'state' | 'onlineUntil'> &
  Partial<Pick<DeviceListEntryDto, 'labels' | 'currentJobId' | 'lastSeen' | 'chosenBackend' | 'createdAt'>> & {
    facts: DeviceFacts;
    telemetry: DeviceTelemetry | null;
    currentJob?: (Pick<NonNullable<DeviceDetailDto['currentJob']>, 'id'> & Partial<Pick<JobDto, 'name' | 'state'>>) | null;
  };

export type JobSelector = Pick<JobSelectorDto, 'labels' | 'backend' | 'minMemoryMb'>;

export interface SubmitJobRequest {
  name?: string;
  /** A TrainConfig; the coordinator validates it with the engine's schema. */
  config: unknown;
  selector?: JobSelector;
  maxAttempts?: number;
  checkpointEverySteps?: number;
  report?: {
    masks?: 'every' | 'final' | 'off';
    fullMaskEvery?: number;
    forgetting?: (typeof FORGETTING_CADENCES)[number];
    /** Content hash, when several identities are registered under the data set's name. */
    forgettingDataset?: string;
  };
  initialMask?: { job: string; step: number };
  /** Train on a fleet removal set (not to be combined with config.dataEfficiency). */
  dataEfficiency?: { source: 'fleet'; removalSet: string; refresh?: (typeof REMOVAL_REFRESH)[number] };
}

export const FORGETTING_CADENCES = ['epoch', 'final', 'off'] as const;
export const REMOVAL_REFRESH = ['epoch', 'never'] as const;

/** GET /api/jobs/:id/mask-stats: churn and ITOP exploration rate per mask update. */
export type MaskStats = Pick<MaskStatsDto, 'jobId' | 'diverged' | 'storedBytes'> & {
  updates: Array<
    Pick<MaskStatsEntryDto, 'attempt' | 'updateIndex' | 'step' | 'epoch' | 'active' | 'total' | 'density' | 'churn' | 'itopRate'>
  >;
};

/** The parts of the job spec the CLI displays. */
export type JobSpecSummary = Partial<Pick<JobSpecDto, 'model' | 'method' | 'scheme' | 'density' | 'epochs'>> & {
  dataset?: Partial<Pick<DatasetSpecDto, 'name'>>;
};

export const TERMINAL_JOB_STATES = ['succeeded', 'failed', 'cancelled'] as const satisfies readonly JobStateDto[];
export const JOB_STATE_NAMES = ['queued', 'assigned', 'running', ...TERMINAL_JOB_STATES] as const satisfies readonly JobStateDto[];

export type Job = Pick<JobDto, 'id' | 'name' | 'state' | 'attempt' | 'deviceId' | 'waitingReason' | 'createdAt' | 'updatedAt' | 'finishedAt'> &
  Partial<Pick<JobDto, 'maxAttempts' | 'leaseExpiresAt'>> & {
    spec: JobSpecSummary;
    selector?: JobSelector;
    /** What a device must offer (selector plus the memory estimate with headroom). */
    requirements?: Partial<JobRequirementsDto>;
    memoryEstimate?: Pick<MemoryEstimateDto, 'totalBytes'> | null;
  };

export type JobProgress = Pick<
  JobProgressDto,
  'attempt' | 'sequence' | 'epoch' | 'step' | 'totalSteps' | 'loss' | 'trainAccuracy' | 'testAccuracy' | 'density'
> &
  Partial<Pick<JobProgressDto, 'phase' | 'elapsedMs' | 'deviceId' | 'receivedAt'>>;

export type JobResult = Pick<JobResultDto, 'attempt' | 'outcome' | 'testAccuracy' | 'testLoss' | 'finalDensity'> &
  Partial<Pick<JobResultDto, 'error' | 'backend' | 'dataSource' | 'syntheticData' | 'epochs' | 'steps' | 'wallMs' | 'deviceId'>>;

export function isTerminalJobState(state: string): boolean {
  return (TERMINAL_JOB_STATES as readonly string[]).includes(state);
}
