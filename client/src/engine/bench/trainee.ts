// A model set up for timing whole training steps, built through the engine's own setup (allocation, the 'static'
// method's initial masks, setUpCompute) and trained on fixed random batches. Shared by the training-step campaign
// cell and bench/step.ts. A step = forward + backward + optimizer update + re-masking; mask updates of dynamic
// methods are not part of it (the steady-state step between updates is what is timed).
import * as tf from '@tensorflow/tfjs';
import { DATASET_INFO, type DatasetName } from '../data/types.js';
import { buildModel } from '../models/builders.js';
import type { InputShape, ModelName } from '../models/catalog.js';
import { measureModelState, slotsPerValue, type ModelStateMeasurement } from '../models/memory.js';
import type { Model } from '../models/model.js';
import { useStockCompute } from '../models/stock-compute.js';
import type { SchemeName } from '../sparse/schemes/types.js';
import { setUpCompute } from '../train/compute-setup.js';
import { parseTrainConfig, type ComputeName, type TrainConfig } from '../train/config.js';
import { createOptimizer, type Optimizer } from '../train/optimizers/index.js';
import { setUpSparsity } from '../train/sparse-setup.js';
import { Stepper, type StepOptions } from '../train/step.js';
import type { MethodContext, SparseTrainingMethod } from '../sparse/methods/types.js';
import { createRng } from '../util/rng.js';

/** stock: plain tfjs autodiff; dense: the engine's corrected dense path; then the two sparse computes. */
export type BenchCompute = 'stock' | 'dense' | 'masked-dense' | 'sparse-kernels';

export interface BenchConfig {
  readonly model: ModelName;
  readonly batch: number;
  readonly compute: BenchCompute;
  readonly scheme: SchemeName;
  /** Overall density of the maskable layers (1 for stock and dense). */
  readonly density: number;
  /** Whose input shape the random batches have; Fashion-MNIST when absent. */
  readonly data?: DatasetName;
  /** Threads of the sparse kernels (default 1); 'auto' as a job asks for it. */
  readonly threads?: number | 'auto';
  /**
   * The sparse method whose step is timed: 'static' (default: the steady-state step of every mask-update method) or
   * 'vrpge', whose score-phase step makes K passes, each under a newly sampled channel gate.
   */
  readonly method?: BenchMethod;
}

export type BenchMethod = 'static' | 'vrpge';

/** What a trainee trains: a full run config plus how its layers compute. */
export interface TraineeTarget {
  readonly trainConfig: TrainConfig;
  readonly compute: BenchCompute;
  /** Throw when sparse kernels were asked for but cannot be used (default: fall back to masked-dense). */
  readonly requireKernels?: boolean;
}

export interface Trainee {
  readonly target: TraineeTarget;
  readonly trainConfig: TrainConfig;
  readonly input: InputShape;
  readonly model: Model;
  readonly optimizer: Optimizer;
  readonly stepper: Stepper;
  /** How the sparse layers actually compute (after any fallback). */
  readonly compute: ComputeName;
  readonly fallbackReason?: string;
  readonly kernelLayers: readonly string[];
  /** Threads the sparse kernels run on (1 when no layer is on the kernels), and why fewer than asked. */
  readonly kernelThreads: number;
  readonly kernelThreadFallbackReason?: string;
  /** Target density per layer from the allocation. */
  readonly layerDensities: ReadonlyMap<string, number>;
  /** The method's own step (VRPGE), called with a step counter of its own; undefined for one plain pass. */
  readonly customStep?: StepOptions['customStep'];
  dispose(): void;
}

export const NUM_CLASSES = 10;
const SEED = 1;
const STEP_LR = 0.01;

export function inputShapeOf(config: TrainConfig): InputShape {
  return DATASET_INFO[config.data.name].inputShape;
}

export function describeConfig(config: BenchConfig): string {
  if (config.compute === 'stock' || config.compute === 'dense') return `${config.model} ${config.compute}`;
  const threads = (config.threads ?? 1) !== 1 ? ` ${config.threads} threads` : '';
  const method = (config.method ?? 'static') === 'static' ? '' : ` ${config.method}`;
  return `${config.model} ${config.compute} ${config.scheme}${method} d=${config.density}${threads}`;
}

/** bench/step.ts's configurations as trainee targets (Fashion-MNIST input, seed 1, default optimizer). */
export function benchTarget(config: BenchConfig): TraineeTarget {
  const sparse = config.compute === 'masked-dense' || config.compute === 'sparse-kernels';
  const trainConfig = parseTrainConfig({
    model: config.model,
    method: sparse ? (config.method ?? 'static') : 'dense',
    // VRPGE keeps half the channels by default; its expected kept fraction is held to the row's density instead.
    ...(sparse && config.method === 'vrpge' ? { schedule: { kind: 'vrpge', keepFraction: config.density } } : {}),
    scheme: config.scheme,
    density: sparse ? config.density : 1,
    batchSize: config.batch,
    seed: SEED,
    ...(config.data === undefined ? {} : { data: { name: config.data } }),
    compute: config.compute === 'sparse-kernels' ? 'sparse-kernels' : 'masked-dense',
    threads: config.threads ?? 1,
  });
  return { trainConfig, compute: config.compute, requireKernels: true };
}

export async function buildTrainee(target: TraineeTarget): Promise<Trainee> {
  const { trainConfig } = target;
  const input = inputShapeOf(trainConfig);
  const model = buildModel({ model: trainConfig.model, input, numClasses: NUM_CLASSES, seed: trainConfig.seed });
  const optimizer = createOptimizer(trainConfig.optimizer, model.parameters);
  try {
    for (const weight of model.maskedWeights) weight.attachOptimizer(optimizer);
    const { method, context } = setUpSparsity(trainConfig, model, { epochs: 1, stepsPerEpoch: 1000, totalSteps: 1000 });
    method.initialize(context);
    if (target.compute === 'stock') useStockCompute(model);
    const setup = await setUpCompute(trainConfig, model, context.layerDensities);
    if (target.requireKernels && target.compute === 'sparse-kernels' && setup.compute !== 'sparse-kernels') {
      throw new Error(`${trainConfig.model} ${trainConfig.scheme} d=${trainConfig.density}: sparse kernels unavailable (${setup.fallbackReason ?? 'unknown reason'})`);
    }
    return {
      target,
      trainConfig,
      input,
      model,
      optimizer,
      stepper: new Stepper(model, optimizer),
      compute: setup.compute,
      ...(setup.fallbackReason === undefined ? {} : { fallbackReason: setup.fallbackReason }),
      kernelLayers: setup.plan?.kernelLayers ?? [],
      kernelThreads: setup.kernelRuntime?.threads ?? 1,
      ...(setup.kernelRuntime?.threadFallbackReason === undefined ? {} : { kernelThreadFallbackReason: setup.kernelRuntime.threadFallbackReason }),
      layerDensities: context.layerDensities,
      ...(method.customStep === undefined ? {} : { customStep: customStepOf(method, context) }),
      dispose() {
        optimizer.dispose();
        model.dispose();
      },
    };
  } catch (error) {
    optimizer.dispose();
    model.dispose();
    throw error;
  }
}

export interface BenchBatch {
  readonly x: Float32Array;
  readonly y: Int32Array;
}

export function randomBatches(count: number, batch: number, seed: number, input: InputShape): BenchBatch[] {
  const rng = createRng(seed);
  const size = batch * input.height * input.width * input.channels;
  return Array.from({ length: count }, () => ({
    x: Float32Array.from({ length: size }, () => rng.next()),
    y: Int32Array.from({ length: batch }, () => rng.int(NUM_CLASSES)),
  }));
}

/** One full training step (forward, backward, optimizer, re-masking). */
export function trainStep(trainee: Trainee, batch: BenchBatch): void {
  const n = batch.y.length;
  const { height, width, channels } = trainee.input;
  tf.tidy(() => {
    const x = tf.tensor4d(batch.x, [n, height, width, channels]);
    const y = tf.tensor1d(batch.y, 'int32');
    const custom = trainee.customStep === undefined ? {} : { customStep: trainee.customStep };
    trainee.stepper.run({ x, y }, { lr: STEP_LR, needsDenseGradient: false, masksGradients: false, ...custom });
  });
}

/** The method's custom step at epoch 0 (VRPGE's score phase), with a step counter so each step samples anew. */
function customStepOf(method: SparseTrainingMethod, context: MethodContext): StepOptions['customStep'] {
  const customStep = method.customStep;
  if (customStep === undefined) return undefined;
  let step = 0;
  return (stepContext) => customStep({ step: step++, epoch: 0 }, context, stepContext);
}

export function measureState(trainee: Trainee): ModelStateMeasurement {
  const { kind, momentum } = trainee.trainConfig.optimizer;
  return measureModelState(trainee.model, { slotsPerValue: slotsPerValue(kind, momentum) });
}
