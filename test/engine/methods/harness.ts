// Test harness: ArrayLayers with seeded random weights, a MethodContext, and a simulated training loop that drives a
// method exactly as the trainer does (initialize, onEpochStart, needsDenseGradient, step, afterStep, onTrainingEnd)
// with random gradients, reporting every hook that changed a mask.
import { ArrayLayer } from '../../../client/src/engine/sparse/array-layer.js';
import type {
  CustomStepContext,
  MaskUpdateSummary,
  MethodContext,
  SparseTrainingMethod,
  StepInfo,
} from '../../../client/src/engine/sparse/methods/types.js';
import type { SparsityScheme } from '../../../client/src/engine/sparse/schemes/types.js';
import { layerSize, type LayerShape, type Mask } from '../../../client/src/engine/sparse/types.js';
import { createRng } from '../../../client/src/engine/util/rng.js';

export interface LayerSpec {
  readonly name: string;
  readonly shape: LayerShape;
  readonly density: number;
}

export function makeLayers(specs: readonly LayerSpec[], seed = 1): ArrayLayer[] {
  const rng = createRng(seed);
  return specs.map((spec) => {
    const weights = Float32Array.from({ length: layerSize(spec.shape) }, () => rng.normal() * 0.1);
    return new ArrayLayer(spec.name, spec.shape, { weights });
  });
}

export interface ContextOptions {
  readonly scheme: SparsityScheme;
  readonly epochs: number;
  readonly stepsPerEpoch: number;
  readonly density?: number;
  readonly seed?: number;
}

export function makeContext(layers: readonly ArrayLayer[], specs: readonly LayerSpec[], options: ContextOptions): MethodContext {
  return {
    layers,
    scheme: options.scheme,
    rng: createRng(options.seed ?? 7),
    stepsPerEpoch: options.stepsPerEpoch,
    epochs: options.epochs,
    totalSteps: options.epochs * options.stepsPerEpoch,
    density: options.density ?? 0.3,
    layerDensities: new Map(specs.map((spec) => [spec.name, spec.density])),
  };
}

export type HookName = 'initialize' | 'onEpochStart' | 'afterStep' | 'onTrainingEnd';

export interface HookEvent {
  readonly hook: HookName;
  readonly info: StepInfo;
  readonly summary: MaskUpdateSummary | undefined;
  /** Masks and weights right before the hook, per layer. */
  readonly masksBefore: Mask[];
  /** Layers whose setMask was called during the hook. */
  readonly written: boolean[];
}

export interface SimulationOptions {
  /** Called after every hook (also those that changed nothing). */
  readonly onHook?: (event: HookEvent) => void;
  readonly learningRate?: number;
  readonly gradientSeed?: number;
}

/** Drives `method` through a whole run like the trainer does. */
export function simulate(method: SparseTrainingMethod, ctx: MethodContext, options: SimulationOptions = {}): void {
  const layers = ctx.layers as ArrayLayer[];
  const rng = createRng(options.gradientSeed ?? 99);
  const hook = (name: HookName, info: StepInfo, run: () => MaskUpdateSummary | undefined | void): void => {
    const masksBefore = layers.map((layer) => layer.mask);
    const writesBefore = layers.map((layer) => layer.maskWrites);
    const summary = run() ?? undefined;
    options.onHook?.({ hook: name, info, summary, masksBefore, written: layers.map((layer, i) => layer.maskWrites !== writesBefore[i]) });
  };
  hook('initialize', { step: 0, epoch: 0 }, () => method.initialize(ctx));
  let step = 0;
  for (let epoch = 0; epoch < ctx.epochs; epoch++) {
    hook('onEpochStart', { step, epoch }, () => method.onEpochStart?.({ step, epoch }, ctx));
    for (let s = 0; s < ctx.stepsPerEpoch; s++) {
      const info = { step, epoch };
      const dense = method.needsDenseGradient(info);
      const gradients = layers.map((layer) => Float32Array.from({ length: layerSize(layer.shape) }, () => rng.normal() * 0.01));
      if (method.customStep) {
        const context: CustomStepContext = { lossAndGradients: () => ({ loss: rng.next(), accumulate: () => undefined }) };
        method.customStep(info, ctx, context);
      }
      layers.forEach((layer, i) =>
        layer.simulateStep({ gradient: gradients[i], learningRate: options.learningRate ?? 0.1, momentum: 0.9, keepGradient: dense }),
      );
      step++;
      hook('afterStep', { step, epoch }, () => method.afterStep?.({ step, epoch }, ctx));
    }
  }
  hook('onTrainingEnd', { step, epoch: ctx.epochs - 1 }, () => method.onTrainingEnd?.(ctx));
}

export function activeOf(mask: Mask): number {
  let n = 0;
  for (let i = 0; i < mask.length; i++) n += mask[i];
  return n;
}
