// REST shapes of training jobs: the job with its spec, selector, requirements and estimate; its progress reports,
// its result and its checkpoints. The spec mirrors the wire TrainingJobSpec field by field but is its own type: a
// change of the generated code's names does not reach REST clients. Enums travel as their wire numbers.
import { z } from 'zod';
import { BenchmarkResultDto, BenchmarkSpecDto } from './benchmark.dto.js';
import { LabelsDto, Timestamp } from './common.dto.js';
import { restDto } from './registry.js';

const int = z.number().int();

export const JOB_STATE_NAMES = ['queued', 'assigned', 'running', 'succeeded', 'failed', 'cancelled'] as const;
export const JobStateDto = z.enum(JOB_STATE_NAMES);
export type JobStateDto = z.output<typeof JobStateDto>;

export const DatasetSpecDto = restDto(
  'DatasetSpec',
  z.strictObject({
    name: z.string(),
    path: z.string(),
    /** 0 = all. */
    trainLimit: int,
    /** 0 = all. */
    testLimit: int,
    shardIndex: int,
    shardCount: int,
    augment: z.boolean(),
  }),
);
export type DatasetSpecDto = z.output<typeof DatasetSpecDto>;

export const HyperparametersDto = restDto(
  'Hyperparameters',
  z.strictObject({
    optimizer: z.string(),
    learningRate: z.number(),
    momentum: z.number(),
    weightDecay: z.number(),
    batchSize: int,
    lrSchedule: z.string(),
    nesterov: z.boolean(),
    erkPowerScale: z.number(),
    extra: z.record(z.string(), z.number()),
  }),
);
export type HyperparametersDto = z.output<typeof HyperparametersDto>;

export const DstScheduleDto = z.strictObject({
  updateInterval: int,
  beginStep: int,
  endStep: int,
  endFraction: z.number(),
  dropFraction: z.number(),
  /** DropFractionDecay: 1 constant, 2 cosine, 3 exponential. */
  decay: int,
  decayExponent: z.number(),
  pruneMode: z.string(),
  growth: z.string(),
  redistribution: z.string(),
  growInit: z.string(),
});
export type DstScheduleDto = z.output<typeof DstScheduleDto>;

export const GranetScheduleDto = z.strictObject({
  initDensity: z.number(),
  finalDensity: z.number(),
  initPruneEpoch: z.number(),
  finalPruneEpoch: z.number(),
  updateInterval: int,
  regenerationRate: z.number(),
  regenerationMin: z.number(),
  multiplier: z.number(),
  pruneMode: z.string(),
  growth: z.string(),
  redistribution: z.string(),
  regenerate: z.boolean(),
});
export type GranetScheduleDto = z.output<typeof GranetScheduleDto>;

export const MestScheduleDto = z.strictObject({
  lowerBound: z.array(z.number()),
  upperBound: z.array(z.number()),
  decayEpochs: z.array(int),
  updateFrequency: int,
  importanceLambda: z.number(),
});
export type MestScheduleDto = z.output<typeof MestScheduleDto>;

export const DsbScheduleDto = z.strictObject({
  updateInterval: int,
  endStep: int,
  endFraction: z.number(),
  dropFraction: z.number(),
  blockSize: int,
  staticMask: z.boolean(),
  referenceHalfWindow: z.boolean(),
});
export type DsbScheduleDto = z.output<typeof DsbScheduleDto>;

export const VrpgeScheduleDto = z.strictObject({
  samples: int,
  keepFraction: z.number(),
  scoreLearningRate: z.number(),
  scoreInit: z.number(),
  clipNorm: z.number(),
  finetuneEpochs: int,
  finetuneLearningRate: z.number(),
  scoreDenominator: z.string(),
});
export type VrpgeScheduleDto = z.output<typeof VrpgeScheduleDto>;

/** The method's schedule: `kind` names the one member that is set, e.g. `{ kind: 'dst', dst: { … } }`. */
export const ScheduleDto = restDto(
  'Schedule',
  z.discriminatedUnion('kind', [
    z.strictObject({ kind: z.literal('dst'), dst: DstScheduleDto }),
    z.strictObject({ kind: z.literal('granet'), granet: GranetScheduleDto }),
    z.strictObject({ kind: z.literal('mest'), mest: MestScheduleDto }),
    z.strictObject({ kind: z.literal('dsb'), dsb: DsbScheduleDto }),
    z.strictObject({ kind: z.literal('vrpge'), vrpge: VrpgeScheduleDto }),
  ]),
  "The method's schedule: `kind` names the one member that is set.",
);
export type ScheduleDto = z.output<typeof ScheduleDto>;

export const DataEfficiencyDto = restDto(
  'DataEfficiency',
  z.strictObject({
    removeCount: int,
    removeEpoch: int,
    keepLowest: int,
    /** DataEfficiencySource: 1 local (MEST on the device's own statistics), 2 fleet (a removal set); 0 = local. */
    source: int,
    /** Fleet: the removal set chosen at submission. */
    removalSetId: z.string(),
    /** RemovalRefresh: 1 never, 2 every epoch (a newer set of the same data set); 0 = never. */
    refresh: int,
  }),
  'Data-efficient training. source 1 local (removeCount at removeEpoch), 2 fleet (removalSetId, refresh 1 never / 2 epoch).',
);
export type DataEfficiencyDto = z.output<typeof DataEfficiencyDto>;

export const MaskReportingDto = restDto(
  'MaskReporting',
  z.strictObject({
    /** MaskReportCadence: 1 off, 2 every mask update, 3 the final mask (0 = off). */
    cadence: int,
    /** Updates whose index is a multiple of this carry full masks; 0 = 10. */
    fullEvery: int,
  }),
  'Whether and how a job reports its masks. cadence: 1 off, 2 every update, 3 final.',
);
export type MaskReportingDto = z.output<typeof MaskReportingDto>;

export const DatasetIdentityDto = restDto(
  'DatasetIdentity',
  z.strictObject({
    name: z.string(),
    /** SHA-256 (lower-case hex) of the full training split, examples and labels in file order. */
    contentHash: z.string(),
    size: int,
  }),
  'A data set as fleet statistics know it: name, content hash and number of examples.',
);
export type DatasetIdentityDto = z.output<typeof DatasetIdentityDto>;

export const ForgettingReportingDto = restDto(
  'ForgettingReporting',
  z.strictObject({
    /** ForgettingReportCadence: 1 off, 2 after every epoch, 3 once at the end (0 = off). */
    cadence: int,
    dataset: DatasetIdentityDto.optional(),
  }),
  'Whether a job reports forgetting statistics, about which registered data set. cadence: 1 off, 2 epoch, 3 final.',
);
export type ForgettingReportingDto = z.output<typeof ForgettingReportingDto>;

export const InitialMaskDto = restDto(
  'InitialMask',
  z.strictObject({
    jobId: z.string(),
    step: int,
    attempt: int,
    updateIndex: int,
    /** The step of the stored update in force at `step` (<= step). */
    resolvedStep: int,
  }),
  'The stored mask (another job at a step) a job starts from.',
);
export type InitialMaskDto = z.output<typeof InitialMaskDto>;

export const JobSpecDto = restDto(
  'JobSpec',
  z.strictObject({
    model: z.string(),
    dataset: DatasetSpecDto.optional(),
    method: z.string(),
    scheme: z.string(),
    density: z.number(),
    allocation: z.string(),
    profileYaml: z.string(),
    schedule: ScheduleDto.optional(),
    hyper: HyperparametersDto.optional(),
    epochs: int,
    seed: int,
    /** Preferred backend; empty = the agent's choice. */
    backend: z.string(),
    /** 0 = no cap. */
    maxSteps: int,
    dataEfficiency: DataEfficiencyDto.optional(),
    /** Set for benchmark-campaign cells. */
    benchmark: BenchmarkSpecDto.optional(),
    /** Unset: the job reports no masks. */
    maskReporting: MaskReportingDto.optional(),
    /** Set when the job starts from a stored mask instead of its method's initial topology. */
    initialMask: InitialMaskDto.optional(),
    /** Unset: the job reports no forgetting statistics. */
    forgettingReporting: ForgettingReportingDto.optional(),
  }),
  'What the job trains: model, data, method, scheme, density, schedule, hyper-parameters (the spec sent to devices).',
);
export type JobSpecDto = z.output<typeof JobSpecDto>;

export const JobSelectorDto = restDto(
  'JobSelector',
  z.strictObject({
    labels: LabelsDto.optional(),
    backend: z.string().optional(),
    minMemoryMb: int.optional(),
    deviceId: z.string().optional(),
  }),
  "The operator's device selector: labels, backend, minimum memory, or one pinned device.",
);
export type JobSelectorDto = z.output<typeof JobSelectorDto>;

export const MemoryEstimateDto = restDto(
  'MemoryEstimate',
  z.strictObject({
    modelStateBytes: z.number(),
    activationBytes: z.number(),
    kernelWorkspaceBytes: z.number(),
    datasetBytes: z.number(),
    totalBytes: z.number(),
  }),
);
export type MemoryEstimateDto = z.output<typeof MemoryEstimateDto>;

export const JobRequirementsDto = restDto(
  'JobRequirements',
  z.strictObject({
    labels: LabelsDto,
    /** A backend the device must have among its available backends. */
    backend: z.string().optional(),
    /** Free memory the device must have (bytes): max(selector minimum, estimate with headroom). */
    memoryBytes: z.number(),
    /** The one device allowed to run the job. */
    deviceId: z.string().optional(),
  }),
  'What a device must offer to run the job.',
);
export type JobRequirementsDto = z.output<typeof JobRequirementsDto>;

export const JobDto = restDto(
  'Job',
  z.strictObject({
    id: z.string(),
    name: z.string(),
    state: JobStateDto,
    attempt: int,
    maxAttempts: int,
    deviceId: z.string().nullable(),
    /** The device of the last abandoned attempt. */
    previousDeviceId: z.string().nullable(),
    /** Why a queued job waits (or why a failed job failed). */
    waitingReason: z.string().nullable(),
    spec: JobSpecDto,
    selector: JobSelectorDto,
    checkpointEverySteps: int,
    memoryEstimate: MemoryEstimateDto.nullable(),
    requirements: JobRequirementsDto,
    leaseExpiresAt: Timestamp.nullable(),
    createdAt: Timestamp,
    updatedAt: Timestamp,
    finishedAt: Timestamp.nullable(),
  }),
  'A training job: state, attempt, device, lease, why it waits, requirements, estimate and spec.',
);
export type JobDto = z.output<typeof JobDto>;

export const LayerDensityDto = restDto(
  'LayerDensity',
  z.strictObject({ layer: z.string(), density: z.number(), active: int, total: int }),
);
export type LayerDensityDto = z.output<typeof LayerDensityDto>;

export const JobProgressDto = restDto(
  'JobProgress',
  z.strictObject({
    jobId: z.string(),
    attempt: int,
    /** Per (job, attempt), from 1. */
    sequence: int,
    epoch: int,
    step: int,
    totalSteps: int,
    loss: z.number(),
    trainAccuracy: z.number(),
    /** Negative when not evaluated at this report. */
    testAccuracy: z.number(),
    density: z.number(),
    stepMsP50: z.number(),
    stepMsP90: z.number(),
    peakMemoryBytes: int,
    maskUpdates: int,
    layers: z.array(LayerDensityDto),
    /** "loading" | "training" | "evaluating". */
    phase: z.string(),
    elapsedMs: int,
    deviceId: z.string(),
    receivedAt: Timestamp,
  }),
  'One progress report of a job, as the device sent it, with the device and the time it arrived.',
);
export type JobProgressDto = z.output<typeof JobProgressDto>;

export const EpochSummaryDto = restDto(
  'EpochSummary',
  z.strictObject({
    epoch: int,
    loss: z.number(),
    trainAccuracy: z.number(),
    testAccuracy: z.number(),
    density: z.number(),
    maskUpdates: int,
    wallMs: int,
  }),
);
export type EpochSummaryDto = z.output<typeof EpochSummaryDto>;

export const JobResultDto = restDto(
  'JobResult',
  z.strictObject({
    jobId: z.string(),
    attempt: int,
    sequence: int,
    /** JobOutcome: 1 succeeded, 2 failed, 3 cancelled. */
    outcome: int,
    error: z.string(),
    backend: z.string(),
    dataSource: z.string(),
    syntheticData: z.boolean(),
    /** Produced by a modelled engine in a simulated fleet: no training happened. */
    simulated: z.boolean(),
    testAccuracy: z.number(),
    testLoss: z.number(),
    finalDensity: z.number(),
    layers: z.array(LayerDensityDto),
    epochs: int,
    steps: int,
    wallMs: int,
    stepMsP50: z.number(),
    stepMsP90: z.number(),
    peakRssBytes: int,
    peakTensorBytes: int,
    history: z.array(EpochSummaryDto),
    agentVersion: z.string(),
    /** Example presentations the run trained on, all epochs together. */
    examplesSeen: int,
    /** Examples data-efficient training excluded when the run ended. */
    removedExamples: int,
    /** Fleet data efficiency: the version of the removal set the run ended on (0 = none). */
    removalSetVersion: int,
    benchmark: BenchmarkResultDto.optional(),
    deviceId: z.string(),
    receivedAt: Timestamp,
  }),
  'The result of a job (a job has exactly one). outcome: 1 succeeded, 2 failed, 3 cancelled.',
);
export type JobResultDto = z.output<typeof JobResultDto>;

export const CheckpointDto = restDto(
  'Checkpoint',
  z.strictObject({
    jobId: z.string(),
    checkpointId: z.string(),
    attempt: int,
    deviceId: z.string(),
    totalBytes: int,
    step: int,
    epoch: int,
    createdAt: Timestamp,
  }),
  'A checkpoint committed for a job.',
);
export type CheckpointDto = z.output<typeof CheckpointDto>;

export const SubmittedJobDto = restDto(
  'SubmittedJob',
  z.strictObject({ id: z.string(), createdAt: Timestamp }),
  'A job queued by a batch submission: its id and creation time (GET /api/jobs/{id} has the rest).',
);
export type SubmittedJobDto = z.output<typeof SubmittedJobDto>;
