// What a training run reports while it runs and when it ends. The agent maps these onto ProgressReport and
// JobResult; the CLI prints them. The run's input, TrainConfig, is the zod schema in ./config.ts.

import type { ModelStateMeasurement } from '../models/memory.js';
import type { ComputeName } from './config.js';
import type { LayerComputeReport } from './compute-setup.js';

export type TrainPhase = 'loading' | 'training' | 'evaluating';

export interface LayerDensityReport {
  readonly layer: string;
  readonly density: number;
  readonly active: number;
  readonly total: number;
}

export interface TrainProgress {
  readonly phase: TrainPhase;
  readonly epoch: number;
  readonly step: number;
  readonly totalSteps: number;
  readonly loss: number;
  readonly trainAccuracy: number;
  /** Present only when the test set was evaluated at this report (end of an epoch). */
  readonly testAccuracy?: number;
  readonly density: number;
  readonly stepMsP50: number;
  readonly stepMsP90: number;
  readonly peakMemoryBytes: number;
  /** Mask updates performed so far in the run. */
  readonly maskUpdates: number;
  readonly layers: readonly LayerDensityReport[];
  readonly elapsedMs: number;
}

export interface EpochReport {
  readonly epoch: number;
  readonly loss: number;
  readonly trainAccuracy: number;
  readonly testAccuracy: number;
  readonly density: number;
  /** Mask updates in this epoch. */
  readonly maskUpdates: number;
  readonly wallMs: number;
}

export interface TrainResult {
  readonly backend: string;
  readonly dataSource: string;
  readonly syntheticData: boolean;
  /** Why synthetic data stands in for the requested data set (e.g. which file was missing). */
  readonly dataFallbackReason?: string;
  readonly model: string;
  readonly method: string;
  readonly scheme: string;
  readonly testAccuracy: number;
  readonly testLoss: number;
  /** Overall density of the maskable layers at the end. */
  readonly finalDensity: number;
  readonly layers: readonly LayerDensityReport[];
  readonly epochs: number;
  readonly steps: number;
  readonly wallMs: number;
  readonly stepMsP50: number;
  readonly stepMsP90: number;
  readonly peakRssBytes: number;
  readonly peakTensorBytes: number;
  readonly history: readonly EpochReport[];
  /** How the sparse layers computed. */
  readonly compute?: ComputeName;
  /** Why 'sparse-kernels' was asked for but masked-dense ran. */
  readonly computeFallbackReason?: string;
  /** Layers that ran on the sparse kernels, in compressed storage. */
  readonly kernelLayers?: readonly string[];
  /**
   * Per weight layer, how it computed: 'sparse-kernels', 'masked-dense' with the reason (a strided k×k conv, target
   * density 1, a run-wide fallback, …) or 'dense' for layers that are never masked (depthwise convs).
   */
  readonly layerCompute?: readonly LayerComputeReport[];
  /** Measured model-state memory at the end (weights, gradients, optimizer, index; sparse vs all-dense). */
  readonly modelState?: ModelStateMeasurement;
}

export interface TrainCallbacks {
  onProgress?(progress: TrainProgress): void;
  /** Abort the run; the promise then rejects with an AbortError. */
  readonly signal?: AbortSignal;
  /** Emit a training-phase progress report every this many steps (default 20), plus one per epoch end. */
  readonly progressEverySteps?: number;
}
