// The configurations bench/step.ts times: one model + optimizer + stepper per configuration, built through the
// engine's own setup (ERK allocation, the 'static' method's initial masks, setUpCompute), on fixed random batches.
import * as tf from '@tensorflow/tfjs';
import { buildModel } from '../client/src/engine/models/builders.js';
import type { ModelName } from '../client/src/engine/models/catalog.js';
import { measureModelState, slotsPerValue, type ModelStateMeasurement } from '../client/src/engine/models/memory.js';
import type { Model } from '../client/src/engine/models/model.js';
import { useStockCompute } from '../client/src/engine/models/stock-compute.js';
import type { SchemeName } from '../client/src/engine/sparse/schemes/types.js';
import { setUpCompute } from '../client/src/engine/train/compute-setup.js';
import { parseTrainConfig, type TrainConfig } from '../client/src/engine/train/config.js';
import { createOptimizer, type Optimizer } from '../client/src/engine/train/optimizers/index.js';
import { setUpSparsity } from '../client/src/engine/train/sparse-setup.js';
import { Stepper } from '../client/src/engine/train/step.js';
import { createRng } from '../client/src/engine/util/rng.js';

export type BenchCompute = 'stock' | 'dense' | 'masked-dense' | 'sparse-kernels';

export interface BenchConfig {
  readonly model: ModelName;
  readonly batch: number;
  readonly compute: BenchCompute;
  readonly scheme: SchemeName;
  /** Overall density of the maskable layers (1 for stock and dense). */
  readonly density: number;
}

export interface Trainee {
  readonly config: BenchConfig;
  readonly trainConfig: TrainConfig;
  readonly model: Model;
  readonly optimizer: Optimizer;
  readonly stepper: Stepper;
  readonly kernelLayers: readonly string[];
  /** Target density per layer from the allocation. */
  readonly layerDensities: ReadonlyMap<string, number>;
  dispose(): void;
}

export const INPUT = { height: 28, width: 28, channels: 1 } as const;
const NUM_CLASSES = 10;
const SEED = 1;

export function describeConfig(config: BenchConfig): string {
  if (config.compute === 'stock' || config.compute === 'dense') return `${config.model} ${config.compute}`;
  return `${config.model} ${config.compute} ${config.scheme} d=${config.density}`;
}

export async function buildTrainee(config: BenchConfig): Promise<Trainee> {
  const sparse = config.compute === 'masked-dense' || config.compute === 'sparse-kernels';
  const trainConfig = parseTrainConfig({
    model: config.model,
    method: sparse ? 'static' : 'dense',
    scheme: config.scheme,
    density: sparse ? config.density : 1,
    batchSize: config.batch,
    seed: SEED,
    compute: config.compute === 'sparse-kernels' ? 'sparse-kernels' : 'masked-dense',
  });
  const model = buildModel({ model: config.model, input: INPUT, numClasses: NUM_CLASSES, seed: SEED });
  const optimizer = createOptimizer(trainConfig.optimizer, model.parameters);
  for (const weight of model.maskedWeights) weight.attachOptimizer(optimizer);
  const { method, context } = setUpSparsity(trainConfig, model, { epochs: 1, stepsPerEpoch: 1000, totalSteps: 1000 });
  method.initialize(context);
  if (config.compute === 'stock') useStockCompute(model);
  const setup = await setUpCompute(trainConfig, model, context.layerDensities);
  if (config.compute === 'sparse-kernels' && setup.compute !== 'sparse-kernels') {
    throw new Error(`${describeConfig(config)}: sparse kernels unavailable (${setup.fallbackReason ?? 'unknown reason'})`);
  }
  const stepper = new Stepper(model, optimizer);
  return {
    config,
    trainConfig,
    model,
    optimizer,
    stepper,
    kernelLayers: setup.plan?.kernelLayers ?? [],
    layerDensities: context.layerDensities,
    dispose() {
      optimizer.dispose();
      model.dispose();
    },
  };
}

export interface BenchBatch {
  readonly x: Float32Array;
  readonly y: Int32Array;
}

export function randomBatches(count: number, batch: number, seed: number): BenchBatch[] {
  const rng = createRng(seed);
  const size = batch * INPUT.height * INPUT.width * INPUT.channels;
  return Array.from({ length: count }, () => ({
    x: Float32Array.from({ length: size }, () => rng.next()),
    y: Int32Array.from({ length: batch }, () => rng.int(NUM_CLASSES)),
  }));
}

/** One full training step (forward, backward, optimizer, re-masking); returns its wall time in ms. */
export function timedStep(trainee: Trainee, batch: BenchBatch): number {
  const n = batch.y.length;
  const start = performance.now();
  tf.tidy(() => {
    const x = tf.tensor4d(batch.x, [n, INPUT.height, INPUT.width, INPUT.channels]);
    const y = tf.tensor1d(batch.y, 'int32');
    trainee.stepper.run({ x, y }, { lr: 0.01, needsDenseGradient: false, masksGradients: false });
  });
  return performance.now() - start;
}

export function measureState(trainee: Trainee): ModelStateMeasurement {
  const { kind, momentum } = trainee.trainConfig.optimizer;
  return measureModelState(trainee.model, { slotsPerValue: slotsPerValue(kind, momentum) });
}
