// One optimizer step: forward/backward (or a method's custom step built from several passes), gradient capture and
// masking, clipping, the optimizer update and re-masking of weights and slots. Tensor discipline: every tensor
// created here is disposed before the step returns.
import * as tf from '@tensorflow/tfjs';
import type { WasmF32 } from '../kernels/runtime.js';
import type { KernelSegment, KernelTrainingPass } from '../models/kernel-compute/segment.js';
import type { Model } from '../models/model.js';
import type { CustomStepContext, LossAndGradients } from '../sparse/methods/types.js';
import { correctness, crossEntropy } from './loss.js';
import type { GradientMap, Optimizer } from './optimizers/types.js';

export interface StepBatch {
  readonly x: tf.Tensor4D;
  readonly y: tf.Tensor1D;
}

export interface StepOptions {
  readonly lr: number;
  readonly needsDenseGradient: boolean;
  readonly masksGradients: boolean;
  readonly clipNorm?: number;
  /** Replaces the single forward/backward pass (VRPGE). */
  readonly customStep?: (context: CustomStepContext) => { loss: number };
}

export interface StepOutcome {
  readonly loss: number;
  /** Per-example correctness (1/0) of the step's (first) forward pass, in batch order. */
  readonly correct: Int32Array;
}

interface Pass {
  readonly loss: number;
  readonly grads: GradientMap;
  readonly correct: Int32Array;
}

export class Stepper {
  constructor(
    private readonly model: Model,
    private readonly optimizer: Optimizer,
  ) {}

  run(batch: StepBatch, options: StepOptions): StepOutcome {
    // Compressed layers compute a dense gradient only on the steps that ask for it.
    for (const weight of this.model.maskedWeights) weight.requestDenseGradient(options.needsDenseGradient);
    const whole = this.model.kernelContext?.wholeNetwork;
    if (whole !== undefined && runsInKernel(options)) return this.runInKernel(whole, batch, options);
    let gradients: GradientMap;
    let loss: number;
    let correct: Int32Array | undefined;
    if (options.customStep === undefined) {
      const pass = this.pass(batch);
      gradients = pass.grads;
      loss = pass.loss;
      correct = pass.correct;
    } else {
      const accumulated: GradientMap = {};
      const passes: GradientMap[] = [];
      const context: CustomStepContext = {
        lossAndGradients: (): LossAndGradients => {
          const pass = this.pass(batch);
          passes.push(pass.grads);
          correct ??= pass.correct;
          return { loss: pass.loss, accumulate: (weight) => accumulateInto(accumulated, pass.grads, weight) };
        },
      };
      try {
        loss = options.customStep(context).loss;
      } catch (error) {
        disposeAll(accumulated);
        throw error;
      } finally {
        for (const grads of passes) disposeAll(grads);
      }
      gradients = accumulated;
    }
    try {
      this.processGradients(gradients, options);
      this.optimizer.step(gradients, options.lr);
    } finally {
      disposeAll(gradients);
    }
    for (const weight of this.model.maskedWeights) weight.reapplyMask();
    return { loss, correct: correct ?? new Int32Array(batch.y.shape[0]) };
  }

  /**
   * The whole step in kernel memory, for a network that is one kernel segment: forward, loss, backward and the
   * optimizer update run there without tfjs ops, tape or gradient tensors; the updated values are copied back into
   * the variables once. A custom step's passes (VRPGE) accumulate their scaled gradients in host memory between
   * passes, since each pass reuses the kernel memory of the one before. Every weight of such a network is compressed
   * (only active values exist), so masking the gradients and re-applying the masks change nothing, as on the tfjs path.
   */
  private runInKernel(segment: KernelSegment, batch: StepBatch, options: StepOptions): StepOutcome {
    const labels = labelsOf(batch.y);
    const rt = segment.runtime;
    let outcome: { pass: KernelTrainingPass; gradients: readonly WasmF32[]; loss: number; correct: Int32Array } | undefined;
    if (options.customStep === undefined) {
      const pass = segment.trainingPass(batch.x, labels);
      outcome = { pass, gradients: pass.parameters.map((parameter) => parameter.gradient), loss: pass.loss, correct: pass.correct };
    } else {
      let sums: Float32Array[] | undefined;
      let last: KernelTrainingPass | undefined;
      let correct: Int32Array | undefined;
      const loss = options.customStep({
        lossAndGradients: (): LossAndGradients => {
          const pass = segment.trainingPass(batch.x, labels);
          last = pass;
          correct ??= pass.correct;
          return {
            loss: pass.loss,
            accumulate: (weight) => {
              if (last !== pass) throw new Error('accumulate a kernel pass before the next pass begins');
              sums ??= pass.parameters.map((parameter) => new Float32Array(parameter.gradient.length));
              pass.parameters.forEach((parameter, i) => addScaled(sums![i], rt.f32(parameter.gradient), weight));
            },
          };
        },
      }).loss;
      if (last !== undefined && sums !== undefined) {
        outcome = { pass: last, gradients: sums.map((sum) => rt.uploadF32(sum)), loss, correct: correct ?? new Int32Array(batch.y.shape[0]) };
      } else {
        // No pass accumulated a gradient: nothing to update (the tfjs path's optimizer skips gradient-less parameters).
        return { loss, correct: correct ?? new Int32Array(batch.y.shape[0]) };
      }
    }
    for (const weight of this.model.maskedWeights) weight.clearGradient();
    const { pass, gradients } = outcome;
    this.optimizer.updateInKernel(rt, pass.parameters.map((parameter, i) => ({ ...parameter, gradient: gradients[i] })), options.lr);
    pass.commit();
    return { loss: outcome.loss, correct: outcome.correct };
  }

  /** Forward + backward with the layers' current masks and gates; the caller owns the returned gradients. */
  private pass(batch: StepBatch): Pass {
    let correctTensor: tf.Tensor1D | undefined;
    const { value, grads } = tf.variableGrads(() => {
      const logits = this.model.forward(batch.x, true);
      correctTensor = tf.keep(correctness(logits, batch.y));
      return crossEntropy(logits, batch.y);
    }, this.model.trainableVariables()); // per pass: compressed layers re-create their variable when nnz changes
    const loss = value.dataSync()[0];
    value.dispose();
    const correct = Int32Array.from(correctTensor?.dataSync() ?? []);
    correctTensor?.dispose();
    return { loss, grads, correct };
  }

  private processGradients(gradients: GradientMap, options: StepOptions): void {
    for (const weight of this.model.maskedWeights) {
      const gradient = gradients[weight.variable.name];
      if (options.needsDenseGradient && gradient !== undefined) weight.captureGradient(gradient);
      else weight.clearGradient();
      if (options.masksGradients && gradient !== undefined) {
        gradients[weight.variable.name] = weight.maskGradient(gradient);
        gradient.dispose();
      }
    }
    if (options.clipNorm !== undefined) clipByGlobalNorm(gradients, options.clipNorm);
  }
}

/**
 * Steps that need nothing from tfjs autodiff: no dense gradient for a mask update, no clipping (it needs every
 * gradient's norm before any update).
 */
function runsInKernel(options: StepOptions): boolean {
  return !options.needsDenseGradient && options.clipNorm === undefined;
}

/** sum += weight · values (a custom step's gradient accumulation, as the tfjs path's add(previous, mul(g, w))). */
function addScaled(sum: Float32Array, values: Float32Array, weight: number): void {
  for (let i = 0; i < sum.length; i++) sum[i] += Math.fround(values[i] * weight);
}

function labelsOf(y: tf.Tensor1D): Int32Array {
  const values = y.dataSync();
  return values instanceof Int32Array ? values : Int32Array.from(values);
}

function accumulateInto(target: GradientMap, source: GradientMap, weight: number): void {
  for (const [name, gradient] of Object.entries(source)) {
    const scaled = tf.tidy(() => tf.mul(gradient, weight));
    const previous = target[name];
    if (previous === undefined) target[name] = scaled;
    else {
      target[name] = tf.add(previous, scaled);
      previous.dispose();
      scaled.dispose();
    }
  }
}

/** Scale all gradients so their global L2 norm is at most `maxNorm` (torch.nn.utils.clip_grad_norm_). */
export function clipByGlobalNorm(gradients: GradientMap, maxNorm: number): number {
  const tensors = Object.values(gradients);
  if (tensors.length === 0) return 0;
  const norm = tf.tidy(() => Math.sqrt(tf.addN(tensors.map((g) => tf.sum(tf.square(g)))).dataSync()[0]));
  if (norm > maxNorm) {
    const scale = maxNorm / (norm + 1e-6);
    for (const [name, gradient] of Object.entries(gradients)) {
      gradients[name] = tf.tidy(() => tf.mul(gradient, scale));
      gradient.dispose();
    }
  }
  return norm;
}

function disposeAll(gradients: GradientMap): void {
  for (const gradient of Object.values(gradients)) if (!gradient.isDisposed) gradient.dispose();
}
