// Engine progress and results → wire messages. Pure; the sequence numbers are assigned by the caller.
import {
  JobOutcome,
  type JobResult,
  type LayerDensity,
  type ProgressReport,
} from '../../../protocol/src/index.js';
import type { LayerDensityReport, TrainProgress, TrainResult } from '../engine/train/types.js';
import { AGENT_VERSION } from './version.js';

export interface ReportIdentity {
  readonly jobId: string;
  readonly attempt: number;
  readonly sequence: number;
}

export function toProgressReport(identity: ReportIdentity, progress: TrainProgress): ProgressReport {
  return {
    jobId: identity.jobId,
    attempt: identity.attempt,
    sequence: identity.sequence,
    epoch: progress.epoch,
    step: progress.step,
    totalSteps: progress.totalSteps,
    loss: finiteOr(progress.loss, -1),
    trainAccuracy: finiteOr(progress.trainAccuracy, -1),
    testAccuracy: progress.testAccuracy === undefined ? -1 : finiteOr(progress.testAccuracy, -1),
    density: progress.density,
    stepMsP50: progress.stepMsP50,
    stepMsP90: progress.stepMsP90,
    peakMemoryBytes: Math.round(progress.peakMemoryBytes),
    maskUpdates: progress.maskUpdates,
    layers: progress.layers.map(toLayerDensity),
    phase: progress.phase,
    elapsedMs: Math.round(progress.elapsedMs),
  };
}

export function toSucceededResult(identity: ReportIdentity, result: TrainResult): JobResult {
  return {
    ...emptyResult(identity, JobOutcome.JOB_OUTCOME_SUCCEEDED, ''),
    backend: result.backend,
    dataSource: result.dataSource,
    syntheticData: result.syntheticData,
    testAccuracy: result.testAccuracy,
    testLoss: finiteOr(result.testLoss, -1),
    finalDensity: result.finalDensity,
    layers: result.layers.map(toLayerDensity),
    epochs: result.epochs,
    steps: result.steps,
    wallMs: Math.round(result.wallMs),
    stepMsP50: result.stepMsP50,
    stepMsP90: result.stepMsP90,
    peakRssBytes: Math.round(result.peakRssBytes),
    peakTensorBytes: Math.round(result.peakTensorBytes),
    history: result.history.map((epoch) => ({
      epoch: epoch.epoch,
      loss: finiteOr(epoch.loss, -1),
      trainAccuracy: epoch.trainAccuracy,
      testAccuracy: epoch.testAccuracy,
      density: epoch.density,
      maskUpdates: epoch.maskUpdates,
      wallMs: Math.round(epoch.wallMs),
    })),
    examplesSeen: result.examplesSeen,
    removedExamples: result.removedExamples,
    removalSetVersion: result.removalSetVersion,
    simulated: result.simulated === true,
  };
}

/** A run that ended without a result: FAILED with the error text, or CANCELLED. */
export function toUnfinishedResult(
  identity: ReportIdentity,
  outcome: JobOutcome.JOB_OUTCOME_FAILED | JobOutcome.JOB_OUTCOME_CANCELLED,
  error: string,
  details: { backend?: string; wallMs?: number } = {},
): JobResult {
  return {
    ...emptyResult(identity, outcome, error),
    backend: details.backend ?? '',
    wallMs: Math.round(details.wallMs ?? 0),
  };
}

/** A JobResult with every measured field at its "none" value. */
export function emptyResult(identity: ReportIdentity, outcome: JobOutcome, error: string): JobResult {
  return {
    jobId: identity.jobId,
    attempt: identity.attempt,
    sequence: identity.sequence,
    outcome,
    error,
    backend: '',
    dataSource: '',
    syntheticData: false,
    testAccuracy: -1,
    testLoss: -1,
    finalDensity: 0,
    layers: [],
    epochs: 0,
    steps: 0,
    wallMs: 0,
    stepMsP50: 0,
    stepMsP90: 0,
    peakRssBytes: 0,
    peakTensorBytes: 0,
    history: [],
    agentVersion: AGENT_VERSION,
    examplesSeen: 0,
    removedExamples: 0,
    removalSetVersion: 0,
    simulated: false,
  };
}

function toLayerDensity(layer: LayerDensityReport): LayerDensity {
  return { layer: layer.layer, density: layer.density, active: layer.active, total: layer.total };
}

/** NaN/Infinity (a diverged loss) encode fine in protobuf but break JSON on the way to the operator. */
function finiteOr(value: number, fallback: number): number {
  return Number.isFinite(value) ? value : fallback;
}
