// What a training run reports while it runs and when it ends. The agent maps these onto ProgressReport and
// JobResult; the CLI prints them. The run's input, TrainConfig, is the zod schema in ./config.ts.

import type { DatasetIdentity, ExampleStatistics } from '../../../../protocol/src/index.js';
import type { ModelStateMeasurement } from '../models/memory.js';
import type { ComputeName } from './config.js';
import type { LayerComputeReport } from './compute-setup.js';
import type { LayerShape, Mask } from '../sparse/types.js';

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
  /** Threads the sparse kernels ran on (1 without shared memory or workers), and why fewer than the job asked. */
  readonly kernelThreads?: number;
  readonly kernelThreadFallbackReason?: string;
  /** Which build of the kernels ran: 'threads', 'simd' or 'scalar'. */
  readonly kernelVariant?: string;
  /** Measured model-state memory at the end (weights, gradients, optimizer, index; sparse vs all-dense). */
  readonly modelState?: ModelStateMeasurement;
  /** Examples trained on over the whole job (sum of batch sizes; a resumed run continues the checkpoint's count). */
  readonly examplesSeen: number;
  /** Examples of this device's training split left out at the end (fleet removal set and MEST removal together). */
  readonly removedExamples: number;
  /** Version of the fleet removal set in force at the end; 0 when none. */
  readonly removalSetVersion: number;
  /** Set by a simulated fleet's modelled engine: no training happened, the figures are modelled (issue 12). */
  readonly simulated?: boolean;
}

/**
 * The job's forgetting statistics, cumulative over the whole job (a resumed run continues the checkpoint's), for
 * the examples of this device's split it has trained on. `epoch` = epochs completed when taken (the report's key),
 * `epochsObserved` = epochs of the job the counts span (the same number: statistics are never reset).
 */
export interface ForgettingReport {
  readonly dataset: DatasetIdentity;
  readonly epoch: number;
  /** Taken when the run ended (its last report). */
  readonly final: boolean;
  readonly epochsObserved: number;
  readonly stats: ExampleStatistics;
}

export type RemovalRefreshEvent = { readonly epoch: number } & (
  | { readonly kind: 'kept' }
  | { readonly kind: 'replaced'; readonly version: number }
  | { readonly kind: 'refused'; readonly reason: string }
);

/** One maskable layer's mask at a mask event: a copy the receiver may keep. */
export interface LayerMaskSnapshot {
  readonly name: string;
  readonly shape: LayerShape;
  readonly mask: Mask;
}

/**
 * 'initial': the masks the first step trains with (after the method's draw or a given initial mask, or those a
 * resumed run restored); 'update': after a mask update of the method; 'final': after the last step and the method's
 * training-end hook (equal to the last update's masks unless that hook changed them).
 */
export type MaskEventKind = 'initial' | 'update' | 'final';

export interface MaskEvent {
  readonly kind: MaskEventKind;
  /** Mask updates performed so far in the run (0 for the initial masks of a fresh run). */
  readonly updates: number;
  /** Optimizer steps completed when these masks took effect. */
  readonly step: number;
  readonly epoch: number;
  /** Every maskable layer (layers kept dense included), in model order. */
  readonly layers: readonly LayerMaskSnapshot[];
}

export interface TrainCallbacks {
  onProgress?(progress: TrainProgress): void;
  /** Receives the masks at the start, after every mask update and at the end; copies are made only when set. */
  onMaskEvent?(event: MaskEvent): void;
  /**
   * With RunOptions.forgettingReport: the job-cumulative statistics after each completed epoch ('epoch', the last
   * one with final: true) or once at the end ('final').
   */
  onForgettingStats?(report: ForgettingReport): void;
  /**
   * With a RunOptions.removal refresh: what each epoch boundary's refresh did ('replaced' with the new version,
   * 'kept' the current set, or 'refused' a failed refresh or an unusable set, with the reason; the run goes on).
   */
  onRemovalRefresh?(event: RemovalRefreshEvent): void;
  /** Abort the run; the promise then rejects with an AbortError. */
  readonly signal?: AbortSignal;
  /** Emit a training-phase progress report every this many steps (default 20), plus one per epoch end. */
  readonly progressEverySteps?: number;
  /**
   * And no sooner than this many milliseconds after the last one (default 0): with sub-millisecond sparse steps a
   * step count alone would send hundreds of reports a second.
   */
  readonly progressMinIntervalMs?: number;
}
