// Jobs, their progress, results and checkpoints → their REST DTOs. The job spec is copied field by field from the
// wire TrainingJobSpec, so REST keeps its names whatever the generated code calls them.
import type {
  DataEfficiency,
  DatasetIdentity,
  DatasetSpec,
  DsbSchedule,
  DstSchedule,
  EpochSummary,
  ForgettingReporting,
  GranetSchedule,
  Hyperparameters,
  InitialMask,
  LayerDensity,
  MaskReporting,
  MestSchedule,
  Schedule,
  TrainingJobSpec,
  VrpgeSchedule,
} from '../../../../protocol/src/index.js';
import type { CheckpointView } from '../../checkpoints/checkpoint.service.js';
import type { ProgressView, ResultView } from '../../jobs/job-report.service.js';
import type { JobRequirements, JobSelector } from '../../jobs/job-selector.js';
import type { JobView } from '../../jobs/job.service.js';
import type { MemoryEstimate } from '../../../../client/src/engine/spec.js';
import type {
  CheckpointDto,
  DataEfficiencyDto,
  DatasetIdentityDto,
  DatasetSpecDto,
  DsbScheduleDto,
  DstScheduleDto,
  EpochSummaryDto,
  ForgettingReportingDto,
  GranetScheduleDto,
  HyperparametersDto,
  InitialMaskDto,
  JobDto,
  JobProgressDto,
  JobRequirementsDto,
  JobResultDto,
  JobSelectorDto,
  JobSpecDto,
  LayerDensityDto,
  MaskReportingDto,
  MemoryEstimateDto,
  MestScheduleDto,
  ScheduleDto,
  VrpgeScheduleDto,
} from '../dto/job.dto.js';
import { toBenchmarkResultDto, toBenchmarkSpecDto } from './benchmark.mapping.js';

export function toJobDto(job: JobView): JobDto {
  return {
    id: job.id,
    name: job.name,
    state: job.state,
    attempt: job.attempt,
    maxAttempts: job.maxAttempts,
    deviceId: job.deviceId,
    previousDeviceId: job.previousDeviceId,
    waitingReason: job.waitingReason,
    spec: toJobSpecDto(job.spec),
    selector: toJobSelectorDto(job.selector),
    checkpointEverySteps: job.checkpointEverySteps,
    memoryEstimate: job.memoryEstimate ? toMemoryEstimateDto(job.memoryEstimate) : null,
    requirements: toJobRequirementsDto(job.requirements),
    leaseExpiresAt: job.leaseExpiresAt,
    createdAt: job.createdAt,
    updatedAt: job.updatedAt,
    finishedAt: job.finishedAt,
  };
}

export function toJobSelectorDto(selector: JobSelector): JobSelectorDto {
  return {
    labels: selector.labels ? { ...selector.labels } : undefined,
    backend: selector.backend,
    minMemoryMb: selector.minMemoryMb,
    deviceId: selector.deviceId,
  };
}

function toJobRequirementsDto(requirements: JobRequirements): JobRequirementsDto {
  return {
    labels: { ...requirements.labels },
    backend: requirements.backend,
    memoryBytes: requirements.memoryBytes,
    deviceId: requirements.deviceId,
  };
}

function toMemoryEstimateDto(estimate: MemoryEstimate): MemoryEstimateDto {
  return {
    modelStateBytes: estimate.modelStateBytes,
    activationBytes: estimate.activationBytes,
    kernelWorkspaceBytes: estimate.kernelWorkspaceBytes,
    datasetBytes: estimate.datasetBytes,
    totalBytes: estimate.totalBytes,
  };
}

export function toJobSpecDto(spec: TrainingJobSpec): JobSpecDto {
  return {
    model: spec.model,
    dataset: spec.dataset ? toDatasetDto(spec.dataset) : undefined,
    method: spec.method,
    scheme: spec.scheme,
    density: spec.density,
    allocation: spec.allocation,
    profileYaml: spec.profileYaml,
    schedule: spec.schedule ? toScheduleDto(spec.schedule) : undefined,
    hyper: spec.hyper ? toHyperparametersDto(spec.hyper) : undefined,
    epochs: spec.epochs,
    seed: spec.seed,
    backend: spec.backend,
    maxSteps: spec.maxSteps,
    dataEfficiency: spec.dataEfficiency ? toDataEfficiencyDto(spec.dataEfficiency) : undefined,
    benchmark: spec.benchmark ? toBenchmarkSpecDto(spec.benchmark) : undefined,
    maskReporting: spec.maskReporting ? toMaskReportingDto(spec.maskReporting) : undefined,
    initialMask: spec.initialMask ? toInitialMaskDto(spec.initialMask) : undefined,
    forgettingReporting: spec.forgettingReporting ? toForgettingReportingDto(spec.forgettingReporting) : undefined,
  };
}

function toForgettingReportingDto(reporting: ForgettingReporting): ForgettingReportingDto {
  return { cadence: reporting.cadence, dataset: reporting.dataset ? toDatasetIdentityDto(reporting.dataset) : undefined };
}

export function toDatasetIdentityDto(identity: DatasetIdentity): DatasetIdentityDto {
  return { name: identity.name, contentHash: identity.contentHash, size: identity.size };
}

function toMaskReportingDto(reporting: MaskReporting): MaskReportingDto {
  return { cadence: reporting.cadence, fullEvery: reporting.fullEvery };
}

function toInitialMaskDto(initial: InitialMask): InitialMaskDto {
  return {
    jobId: initial.jobId,
    step: initial.step,
    attempt: initial.attempt,
    updateIndex: initial.updateIndex,
    resolvedStep: initial.resolvedStep,
  };
}

function toDatasetDto(dataset: DatasetSpec): DatasetSpecDto {
  return {
    name: dataset.name,
    path: dataset.path,
    trainLimit: dataset.trainLimit,
    testLimit: dataset.testLimit,
    shardIndex: dataset.shardIndex,
    shardCount: dataset.shardCount,
    augment: dataset.augment,
  };
}

function toHyperparametersDto(hyper: Hyperparameters): HyperparametersDto {
  return {
    optimizer: hyper.optimizer,
    learningRate: hyper.learningRate,
    momentum: hyper.momentum,
    weightDecay: hyper.weightDecay,
    batchSize: hyper.batchSize,
    lrSchedule: hyper.lrSchedule,
    nesterov: hyper.nesterov,
    erkPowerScale: hyper.erkPowerScale,
    extra: { ...hyper.extra },
  };
}

function toDataEfficiencyDto(efficiency: DataEfficiency): DataEfficiencyDto {
  return {
    removeCount: efficiency.removeCount,
    removeEpoch: efficiency.removeEpoch,
    keepLowest: efficiency.keepLowest,
    source: efficiency.source,
    removalSetId: efficiency.removalSetId,
    refresh: efficiency.refresh,
  };
}

/** The set member of the schedule oneof; undefined when none is set. */
export function toScheduleDto(schedule: Schedule): ScheduleDto | undefined {
  if (schedule.dst) return { kind: 'dst', dst: toDstDto(schedule.dst) };
  if (schedule.granet) return { kind: 'granet', granet: toGranetDto(schedule.granet) };
  if (schedule.mest) return { kind: 'mest', mest: toMestDto(schedule.mest) };
  if (schedule.dsb) return { kind: 'dsb', dsb: toDsbDto(schedule.dsb) };
  if (schedule.vrpge) return { kind: 'vrpge', vrpge: toVrpgeDto(schedule.vrpge) };
  return undefined;
}

function toDstDto(dst: DstSchedule): DstScheduleDto {
  return {
    updateInterval: dst.updateInterval,
    beginStep: dst.beginStep,
    endStep: dst.endStep,
    endFraction: dst.endFraction,
    dropFraction: dst.dropFraction,
    decay: dst.decay,
    decayExponent: dst.decayExponent,
    pruneMode: dst.pruneMode,
    growth: dst.growth,
    redistribution: dst.redistribution,
    growInit: dst.growInit,
  };
}

function toGranetDto(granet: GranetSchedule): GranetScheduleDto {
  return {
    initDensity: granet.initDensity,
    finalDensity: granet.finalDensity,
    initPruneEpoch: granet.initPruneEpoch,
    finalPruneEpoch: granet.finalPruneEpoch,
    updateInterval: granet.updateInterval,
    regenerationRate: granet.regenerationRate,
    regenerationMin: granet.regenerationMin,
    multiplier: granet.multiplier,
    pruneMode: granet.pruneMode,
    growth: granet.growth,
    redistribution: granet.redistribution,
    regenerate: granet.regenerate,
  };
}

function toMestDto(mest: MestSchedule): MestScheduleDto {
  return {
    lowerBound: [...mest.lowerBound],
    upperBound: [...mest.upperBound],
    decayEpochs: [...mest.decayEpochs],
    updateFrequency: mest.updateFrequency,
    importanceLambda: mest.importanceLambda,
  };
}

function toDsbDto(dsb: DsbSchedule): DsbScheduleDto {
  return {
    updateInterval: dsb.updateInterval,
    endStep: dsb.endStep,
    endFraction: dsb.endFraction,
    dropFraction: dsb.dropFraction,
    blockSize: dsb.blockSize,
    staticMask: dsb.staticMask,
    referenceHalfWindow: dsb.referenceHalfWindow,
  };
}

function toVrpgeDto(vrpge: VrpgeSchedule): VrpgeScheduleDto {
  return {
    samples: vrpge.samples,
    keepFraction: vrpge.keepFraction,
    scoreLearningRate: vrpge.scoreLearningRate,
    scoreInit: vrpge.scoreInit,
    clipNorm: vrpge.clipNorm,
    finetuneEpochs: vrpge.finetuneEpochs,
    finetuneLearningRate: vrpge.finetuneLearningRate,
    scoreDenominator: vrpge.scoreDenominator,
  };
}

function toLayerDensityDto(layer: LayerDensity): LayerDensityDto {
  return { layer: layer.layer, density: layer.density, active: layer.active, total: layer.total };
}

function toEpochSummaryDto(epoch: EpochSummary): EpochSummaryDto {
  return {
    epoch: epoch.epoch,
    loss: epoch.loss,
    trainAccuracy: epoch.trainAccuracy,
    testAccuracy: epoch.testAccuracy,
    density: epoch.density,
    maskUpdates: epoch.maskUpdates,
    wallMs: epoch.wallMs,
  };
}

export function toJobProgressDto(progress: ProgressView): JobProgressDto {
  return {
    jobId: progress.jobId,
    attempt: progress.attempt,
    sequence: progress.sequence,
    epoch: progress.epoch,
    step: progress.step,
    totalSteps: progress.totalSteps,
    loss: progress.loss,
    trainAccuracy: progress.trainAccuracy,
    testAccuracy: progress.testAccuracy,
    density: progress.density,
    stepMsP50: progress.stepMsP50,
    stepMsP90: progress.stepMsP90,
    peakMemoryBytes: progress.peakMemoryBytes,
    maskUpdates: progress.maskUpdates,
    layers: progress.layers.map(toLayerDensityDto),
    phase: progress.phase,
    elapsedMs: progress.elapsedMs,
    deviceId: progress.deviceId,
    receivedAt: progress.receivedAt,
  };
}

export function toJobResultDto(result: ResultView): JobResultDto {
  return {
    jobId: result.jobId,
    attempt: result.attempt,
    sequence: result.sequence,
    outcome: result.outcome,
    error: result.error,
    backend: result.backend,
    dataSource: result.dataSource,
    syntheticData: result.syntheticData,
    simulated: result.simulated,
    testAccuracy: result.testAccuracy,
    testLoss: result.testLoss,
    finalDensity: result.finalDensity,
    layers: result.layers.map(toLayerDensityDto),
    epochs: result.epochs,
    steps: result.steps,
    wallMs: result.wallMs,
    stepMsP50: result.stepMsP50,
    stepMsP90: result.stepMsP90,
    peakRssBytes: result.peakRssBytes,
    peakTensorBytes: result.peakTensorBytes,
    history: result.history.map(toEpochSummaryDto),
    agentVersion: result.agentVersion,
    examplesSeen: result.examplesSeen,
    removedExamples: result.removedExamples,
    removalSetVersion: result.removalSetVersion,
    benchmark: result.benchmark ? toBenchmarkResultDto(result.benchmark) : undefined,
    deviceId: result.deviceId,
    receivedAt: result.receivedAt,
  };
}

export function toCheckpointDto(checkpoint: CheckpointView): CheckpointDto {
  return {
    jobId: checkpoint.jobId,
    checkpointId: checkpoint.checkpointId,
    attempt: checkpoint.attempt,
    deviceId: checkpoint.deviceId,
    totalBytes: checkpoint.totalBytes,
    step: checkpoint.step,
    epoch: checkpoint.epoch,
    createdAt: checkpoint.createdAt,
  };
}
