// Shared fixtures of the integration tests: one compiled kernel module (a fresh instance per model, since every
// model owns its kernel memory), seeded models with masks, and training steps on fixed random batches.
import { readFile } from 'node:fs/promises';
import * as tf from '@tensorflow/tfjs';
import { initBackend } from '../../../client/src/engine/backend/init.js';
import { ensureKernelsBuilt } from '../../../client/src/engine/kernels/build.mjs';
import { KernelRuntime } from '../../../client/src/engine/kernels/runtime.js';
import { buildModel } from '../../../client/src/engine/models/builders.js';
import type { InputShape, ModelName } from '../../../client/src/engine/models/catalog.js';
import { useSparseKernels, type KernelPlan } from '../../../client/src/engine/models/kernel-compute/plan.js';
import type { Model } from '../../../client/src/engine/models/model.js';
import { formatPreferenceForScheme } from '../../../client/src/engine/models/storage/compressed-format.js';
import type { SchemeName } from '../../../client/src/engine/sparse/schemes/types.js';
import { parseTrainConfig, type TrainConfigInput } from '../../../client/src/engine/train/config.js';
import { createOptimizer, type Optimizer } from '../../../client/src/engine/train/optimizers/index.js';
import { Stepper } from '../../../client/src/engine/train/step.js';
import { createRng } from '../../../client/src/engine/util/rng.js';

let compiled: Promise<WebAssembly.Module> | undefined;

export async function prepareEngine(backend: 'wasm' | 'cpu' = 'wasm'): Promise<void> {
  const active = await initBackend(backend);
  if (active.name !== backend) throw new Error(`backend ${backend} unavailable (got ${active.name})`);
  compiled ??= ensureKernelsBuilt({ quiet: true }).then(async (path) => WebAssembly.compile(await readFile(path)));
  await compiled;
}

export async function freshRuntime(): Promise<KernelRuntime> {
  if (compiled === undefined) throw new Error('call prepareEngine first');
  return KernelRuntime.load(await compiled);
}

export interface Trainee {
  readonly model: Model;
  readonly optimizer: Optimizer;
  readonly stepper: Stepper;
  readonly plan: KernelPlan | undefined;
  dispose(): void;
}

export interface TraineeOptions {
  readonly model: ModelName;
  readonly input: InputShape;
  /** Masks by layer name (layers not listed stay dense). */
  readonly masks: ReadonlyMap<string, Uint8Array>;
  readonly scheme: SchemeName;
  readonly kernels: boolean;
  readonly optimizer?: TrainConfigInput['optimizer'];
}

export async function buildTrainee(options: TraineeOptions): Promise<Trainee> {
  const model = buildModel({ model: options.model, input: options.input, numClasses: 10, seed: 7 });
  const optimizer = createOptimizer(parseTrainConfig({ optimizer: options.optimizer ?? {} }).optimizer, model.parameters);
  for (const weight of model.maskedWeights) weight.attachOptimizer(optimizer);
  for (const weight of model.maskedWeights) {
    const mask = options.masks.get(weight.name);
    if (mask !== undefined) weight.setMask(mask);
  }
  let plan: KernelPlan | undefined;
  if (options.kernels) {
    const preference = formatPreferenceForScheme(options.scheme);
    const sparseLayers = new Map([...options.masks.keys()].map((name) => [name, preference] as const));
    plan = useSparseKernels(model, { runtime: await freshRuntime(), sparseLayers });
  }
  const stepper = new Stepper(model, optimizer);
  return {
    model,
    optimizer,
    stepper,
    plan,
    dispose() {
      optimizer.dispose();
      model.dispose();
    },
  };
}

export interface Batch {
  readonly x: Float32Array;
  readonly y: Int32Array;
}

export function randomBatches(count: number, batch: number, input: InputShape, seed: number): Batch[] {
  const rng = createRng(seed);
  const size = batch * input.height * input.width * input.channels;
  return Array.from({ length: count }, () => ({
    x: Float32Array.from({ length: size }, () => rng.normal()),
    y: Int32Array.from({ length: batch }, () => rng.int(10)),
  }));
}

/** One optimizer step; returns the loss. */
export function trainStep(trainee: Trainee, batch: Batch, input: InputShape, options: { lr?: number; denseGradient?: boolean } = {}): number {
  const n = batch.y.length;
  return tf.tidy(() => {
    const x = tf.tensor4d(batch.x, [n, input.height, input.width, input.channels]);
    const y = tf.tensor1d(batch.y, 'int32');
    return trainee.stepper.run({ x, y }, { lr: options.lr ?? 0.05, needsDenseGradient: options.denseGradient ?? false, masksGradients: false }).loss;
  });
}

export function randomMask(size: number, density: number, seed: number): Uint8Array {
  const rng = createRng(seed);
  return Uint8Array.from({ length: size }, () => (rng.next() < density ? 1 : 0));
}

/** 4×1 output-row blocks of a [rows][cols] canonical layout, each kept with probability `density`. */
export function blockMask(rows: number, cols: number, density: number, seed: number): Uint8Array {
  const rng = createRng(seed);
  const mask = new Uint8Array(rows * cols);
  for (let g = 0; g < rows / 4; g++) {
    for (let c = 0; c < cols; c++) {
      if (rng.next() >= density) continue;
      for (let r = 0; r < 4; r++) mask[(4 * g + r) * cols + c] = 1;
    }
  }
  return mask;
}

export function maxAbsDiff(a: Float32Array, b: Float32Array): number {
  if (a.length !== b.length) throw new Error(`length ${a.length} ≠ ${b.length}`);
  let diff = 0;
  for (let i = 0; i < a.length; i++) diff = Math.max(diff, Math.abs(a[i] - b[i]));
  return diff;
}

export function maxAbs(a: Float32Array): number {
  let m = 0;
  for (const v of a) m = Math.max(m, Math.abs(v));
  return m;
}
