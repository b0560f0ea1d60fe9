// Training-step benchmark cell: whole training steps of the job's model with its sparse compute against the
// engine's corrected dense path (same model, optimizer and batch, density 1; baseline 'corrected-dense-step'), both
// under the same run rules in this process and interleaved in rounds (interleave.ts), plus the measured model-state
// bytes sparse vs all-dense. No stock tfjs figure: stock autodiff steps cannot run the CNN on wasm
// (Conv2DBackpropFilter is not registered there) and are several times slower than the corrected path elsewhere,
// so measuring them would multiply the cell's time; bench:step reports them.
import { initBackend } from '../backend/init.js';
import { requestedCompute } from '../train/compute-setup.js';
import type { TrainConfig } from '../train/config.js';
import { MemoryPeaks } from '../train/metrics.js';
import { compareSides, identityOf } from './outcome.js';
import { measureInterleaved } from './interleave.js';
import type { BenchClock, ExecutorProgress } from './run-rules.js';
import { buildTrainee, measureState, randomBatches, trainStep, type Trainee, type TraineeTarget } from './trainee.js';
import type { BenchmarkCallbacks, BenchmarkOutcome, TrainingBenchmarkRequest } from './types.js';
import type { ConditionsReader } from './device-conditions.js';

const BATCH_POOL = 4;

export interface StepBenchmarkOptions {
  readonly clock?: BenchClock;
  readonly readConditions?: ConditionsReader;
}

/** The sparse side (the job's own config; dynamic methods time their steady-state step, as 'static') and the dense baseline. */
export function stepTargets(config: TrainConfig): { sparse: TraineeTarget; dense: TraineeTarget } {
  const dense: TraineeTarget = {
    trainConfig: { ...config, method: 'dense', density: 1, schedule: undefined, compute: 'masked-dense', dataEfficiency: undefined },
    compute: 'dense',
  };
  if (config.method === 'dense') return { sparse: dense, dense };
  const compute = requestedCompute(config);
  return {
    sparse: { trainConfig: { ...config, method: 'static', schedule: undefined, compute, dataEfficiency: undefined }, compute },
    dense,
  };
}

/** Runs the steps of one trainee under the rules, cycling through a small pool of fixed random batches. */
export function stepIteration(trainee: Trainee, seed: number): () => void {
  const batches = randomBatches(BATCH_POOL, trainee.trainConfig.batchSize, seed, trainee.input);
  let next = 0;
  return () => {
    trainStep(trainee, batches[next % batches.length]);
    next += 1;
  };
}

export async function runStepBenchmark(
  request: TrainingBenchmarkRequest,
  callbacks: BenchmarkCallbacks = {},
  options: StepBenchmarkOptions = {},
): Promise<BenchmarkOutcome> {
  const { config, rules } = request;
  const backend = await initBackend(config.backend);
  callbacks.onProgress?.({ phase: 'setup', side: 'sparse', iterations: 0, targetIterations: rules.minIterations, elapsedMs: 0, targetMs: rules.minDurationMs });
  const targets = stepTargets(config);
  const memory = new MemoryPeaks();
  const progress = (side: 'sparse' | 'dense') => (p: ExecutorProgress): void => {
    memory.sample();
    callbacks.onProgress?.({ ...p, side });
  };
  // Both trainees exist at once: their steps are measured interleaved, so load changes hit both alike.
  const sparse = await buildTrainee(targets.sparse);
  try {
    callbacks.signal?.throwIfAborted();
    const dense = await buildTrainee(targets.dense);
    try {
      memory.sample();
      const [sparseMeasurement, denseMeasurement] = await measureInterleaved(
        [
          { iteration: stepIteration(sparse, config.seed + 17), onProgress: progress('sparse') },
          { iteration: stepIteration(dense, config.seed + 17), onProgress: progress('dense') },
        ],
        rules,
        { clock: options.clock, readConditions: options.readConditions, signal: callbacks.signal },
      );
      const state = measureState(sparse);
      memory.sample();
      return {
        ...identityOf(request),
        ...compareSides({ sparse: sparseMeasurement, baseline: denseMeasurement, baselineName: 'corrected-dense-step' }),
        gflops: 0,
        // The tfjs ops of both sides run on the backend's threads; the sparse side's kernel layers on its kernel threads.
        threads: { measured: Math.max(backend.threads, sparse.kernelThreads), baseline: backend.threads, tfjs: 0 },
        peakMemoryBytes: memory.rssBytes,
        modelStateBytes: state.totalBytes,
        denseModelStateBytes: state.denseTotalBytes,
        testAccuracy: -1,
        backend: backend.name,
        compute: targets.sparse.compute === 'dense' ? 'dense' : sparse.compute,
        details: {
          model: config.model,
          batch: config.batchSize,
          kernelLayers: sparse.kernelLayers.join(','),
          kernelHeapBytes: state.kernelHeapBytes,
          kernelThreads: sparse.kernelThreads,
          ...(sparse.kernelThreadFallbackReason === undefined ? {} : { kernelThreadFallbackReason: sparse.kernelThreadFallbackReason }),
          ...(sparse.fallbackReason === undefined ? {} : { computeFallbackReason: sparse.fallbackReason }),
        },
      };
    } finally {
      dense.dispose();
    }
  } finally {
    sparse.dispose();
  }
}
