// Builds TrainProgress reports from the run's live statistics.
import type { MaskedWeight } from '../models/masked-weight.js';
import { layerDensities, overallDensity, type MemoryPeaks, type StepTimer } from './metrics.js';
import type { TrainPhase, TrainProgress } from './types.js';

export interface ProgressState {
  readonly phase: TrainPhase;
  readonly epoch: number;
  readonly step: number;
  readonly totalSteps: number;
  readonly loss: number;
  readonly trainAccuracy: number;
  readonly testAccuracy?: number;
  readonly maskUpdates: number;
  readonly elapsedMs: number;
}

export function buildProgress(
  state: ProgressState,
  layers: readonly MaskedWeight[],
  timer: StepTimer,
  memory: MemoryPeaks,
): TrainProgress {
  const reports = layerDensities(layers);
  return {
    ...state,
    density: overallDensity(reports),
    stepMsP50: timer.percentile(50),
    stepMsP90: timer.percentile(90),
    peakMemoryBytes: memory.peakBytes,
    layers: reports,
  };
}
