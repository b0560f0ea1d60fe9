// The slice of the engine the agent uses, as an interface so the job runner can be tested without tfjs.
import type { DatasetIdentity, TrainingJobSpec } from '../../../protocol/src/index.js';
import { initBackend, type BackendName } from '../engine/backend/index.js';
import type { CheckpointOptions } from '../engine/train/checkpointing.js';
import type { TrainConfig } from '../engine/train/config.js';
import { jobSpecToTrainConfig } from '../engine/train/job-spec.js';
import { runTraining, type ForgettingReportCadence } from '../engine/train/run.js';
import type { FleetRemoval } from '../engine/train/fleet-removal.js';
import type { TrainCallbacks, TrainResult } from '../engine/train/types.js';
import { benchmarkRequestFromJobSpec } from '../engine/bench/request.js';
import { runBenchmark } from '../engine/bench/run-benchmark.js';
import type { BenchmarkCallbacks, BenchmarkOutcome, BenchmarkRequest } from '../engine/bench/types.js';
import type { BackendSummary } from './facts.js';
import type { Mask } from '../engine/sparse/types.js';
import type { LoadedDatasets } from '../engine/data/types.js';
import { localFederatedEngine, type FederatedEngine } from './federated-engine.js';

export interface TrainingEngine {
  /** Selects and initialises the tfjs backend (tfjs-node, wasm or cpu) and reports what is available. */
  initBackend(preferred?: string): Promise<BackendSummary>;
  /** Validates a job spec into a run config; throws with a readable message when the spec is invalid. */
  toConfig(spec: TrainingJobSpec): TrainConfig;
  run(config: TrainConfig, callbacks: TrainCallbacks, options?: EngineRunOptions): Promise<TrainResult>;
  /** Validates a benchmark-campaign cell (a spec with `benchmark` set); absent = this engine cannot benchmark. */
  toBenchmarkRequest?(spec: TrainingJobSpec): BenchmarkRequest;
  /** Measures one benchmark cell; rejects when the signal aborts. */
  runBenchmark?(request: BenchmarkRequest, callbacks: BenchmarkCallbacks): Promise<BenchmarkOutcome>;
  /** Runs federated client tasks (TrainingJobSpec.federated); absent = this engine refuses them. */
  readonly federated?: FederatedEngine;
}

export interface EngineRunOptions {
  readonly checkpoint?: CheckpointOptions;
  /** TrainingCheckpoint bytes to continue from (a resumed attempt). */
  readonly resumeFrom?: Uint8Array;
  /** Masks to start from instead of the method's initial draw, by layer name (ignored when resuming). */
  readonly initialMask?: ReadonlyMap<string, Mask>;
  /** Hand the run's forgetting statistics to `onForgettingStats` after every epoch, or once at the end. */
  readonly forgettingReport?: ForgettingReportCadence;
  /** The run refuses (DatasetMismatchError, before training) data whose identity differs from this. */
  readonly expectedDataset?: DatasetIdentity;
  /** Train only on the examples a fleet removal set keeps. */
  readonly removal?: FleetRemoval;
  /** The job's data, already selected (a browser agent's dataset shard); absent = load the config's data. */
  readonly datasets?: LoadedDatasets;
  /** Awaited before every training step (a browser agent holds a pause_when_hidden job there while hidden). */
  readonly beforeStep?: () => Promise<void>;
}

/** The real engine, running training in this process (or worker thread). */
export const localTrainingEngine: TrainingEngine = {
  initBackend: (preferred) => initBackend(asBackendName(preferred)),
  toConfig: (spec) => jobSpecToTrainConfig(spec),
  run: (config, callbacks, options) => runTraining(config, callbacks, options),
  toBenchmarkRequest: (spec) => benchmarkRequestFromJobSpec(spec),
  runBenchmark: (request, callbacks) => runBenchmark(request, callbacks),
  federated: localFederatedEngine,
};

function asBackendName(name: string | undefined): BackendName | undefined {
  if (name === undefined || name === '') return undefined;
  if (name === 'tensorflow' || name === 'wasm' || name === 'cpu') return name;
  throw new Error(`unknown backend "${name}" (expected tensorflow, wasm or cpu)`);
}
