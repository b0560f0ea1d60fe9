// Linear, Conv2d (NHWC; TensorFlow 'same' or PyTorch's explicit symmetric padding), DepthwiseConv2d and BatchNorm
// modules. Conv and linear weights are MaskedWeights; depthwise weights are plain (never masked, see
// architectures/blocks.ts) but weight-decayed like every conv weight; biases and BatchNorm parameters are plain, never
// masked and never weight-decayed.
import * as tf from '@tensorflow/tfjs';
import { batchNormTraining } from '../backend/batch-norm.js';
import { linearMatMul } from '../backend/linear-matmul.js';
import { convShape, linearShape, type LayerShape } from '../sparse/types.js';
import type { Rng } from '../util/rng.js';
import { biasValues, initialWeights } from './init.js';
import { canonicalToTf, tfWeightShape } from './layout.js';
import { MaskedWeight, type LayerCompute } from './masked-weight.js';
import type { ForwardContext, Module } from './module.js';
import { createVariable, type Parameter } from './parameter.js';

export interface LayerOptions {
  readonly scope: string;
  readonly name: string;
  readonly rng: Rng;
  readonly bias: boolean;
}

/**
 * 'same': TensorFlow's (output ⌈H/s⌉, extra padding at the bottom/right; the engine's small models). A number p:
 * PyTorch's Conv2d(padding=p) on both sides (the seed networks), so strided convs sample the positions PyTorch does.
 * At stride 1 with p = (k − 1)/2 both are the same convolution.
 */
export type ConvPadding = 'same' | number;

/** Whether a conv with this padding computes what a stride-1 'same' conv of its (odd, square) kernel computes. */
export function isSamePadding(padding: ConvPadding, kernel: number): boolean {
  return padding === 'same' || (kernel % 2 === 1 && padding === (kernel - 1) / 2);
}

/** Masked dense compute for linear layers: x · w with transpose-routed gradients (backend/linear-matmul.ts). */
export class DenseLinearCompute implements LayerCompute {
  constructor(private readonly inputGradient: boolean) {}
  forward(x: tf.Tensor, layer: MaskedWeight): tf.Tensor {
    return linearMatMul(x as tf.Tensor2D, layer.effectiveWeight() as tf.Tensor2D, this.inputGradient);
  }
}

/** Masked dense compute for conv layers: tf.conv2d NHWC ('same' or explicit symmetric padding). */
export class DenseConvCompute implements LayerCompute {
  constructor(
    readonly stride: number,
    readonly padding: ConvPadding = 'same',
  ) {}
  forward(x: tf.Tensor, layer: MaskedWeight): tf.Tensor {
    return tf.conv2d(x as tf.Tensor4D, layer.effectiveWeight() as tf.Tensor4D, this.stride, this.padding);
  }
}

export abstract class WeightedLayer implements Module {
  readonly weight: MaskedWeight;
  readonly bias: tf.Variable | undefined;

  protected constructor(shape: LayerShape, options: LayerOptions, compute: LayerCompute) {
    const rng = options.rng.derive(options.name);
    const values = canonicalToTf(shape, initialWeights(shape, rng.derive('weight')));
    const variable = createVariable(options.scope, `${options.name}.weight`, values, tfWeightShape(shape));
    this.weight = new MaskedWeight(options.name, shape, variable, compute);
    this.bias = options.bias
      ? createVariable(options.scope, `${options.name}.bias`, biasValues(shape, rng.derive('bias')), [shape.out])
      : undefined;
  }

  apply(x: tf.Tensor, _ctx: ForwardContext): tf.Tensor {
    const y = this.weight.apply(x);
    return this.bias === undefined ? y : tf.add(y, this.bias);
  }

  parameters(): Parameter[] {
    const weight = this.weight;
    // A getter: compressed storage re-creates the weight variable when the number of active weights changes.
    const params: Parameter[] = [
      {
        name: `${weight.name}.weight`,
        get variable() {
          return weight.variable;
        },
        decay: true,
      },
    ];
    if (this.bias !== undefined) params.push({ name: `${weight.name}.bias`, variable: this.bias, decay: false });
    return params;
  }

  buffers(): tf.Variable[] {
    return [];
  }

  maskedWeights(): MaskedWeight[] {
    return [this.weight];
  }
}

export class Linear extends WeightedLayer {
  /** `inputLayer`: x is network input, so its gradient is skipped. */
  constructor(inFeatures: number, outFeatures: number, options: LayerOptions & { inputLayer?: boolean }) {
    super(linearShape(outFeatures, inFeatures), options, new DenseLinearCompute(!options.inputLayer));
  }
}

export class Conv2d extends WeightedLayer {
  readonly padding: ConvPadding;

  constructor(
    inChannels: number,
    outChannels: number,
    kernel: number,
    readonly stride: number,
    options: LayerOptions & { readonly padding?: ConvPadding },
  ) {
    const padding = options.padding ?? 'same';
    super(convShape(outChannels, inChannels, kernel, kernel), options, new DenseConvCompute(stride, padding));
    this.padding = padding;
  }
}

/**
 * A depthwise conv (groups = channels, channel multiplier 1), weight [k, k, C, 1] in tf layout ([C, 1, k, k] in
 * PyTorch). Dense and unmasked by design (see architectures/blocks.ts); its gradient on wasm comes from
 * backend/depthwise-gradient.ts.
 */
export class DepthwiseConv2d implements Module {
  readonly weight: tf.Variable;

  constructor(
    readonly name: string,
    channels: number,
    readonly kernel: number,
    readonly stride: number,
    readonly padding: ConvPadding,
    options: { readonly scope: string; readonly rng: Rng },
  ) {
    const shape = convShape(channels, 1, kernel, kernel);
    const values = canonicalToTf(shape, initialWeights(shape, options.rng.derive(name).derive('weight')));
    // canonicalToTf gives [k, k, 1, C]; the depthwise filter is [k, k, C, 1] with the same value order.
    this.weight = createVariable(options.scope, `${name}.weight`, values, [kernel, kernel, channels, 1]);
  }

  apply(x: tf.Tensor, _ctx: ForwardContext): tf.Tensor {
    return tf.depthwiseConv2d(x as tf.Tensor4D, this.weight as tf.Tensor4D, this.stride, this.padding);
  }

  parameters(): Parameter[] {
    return [{ name: `${this.name}.weight`, variable: this.weight, decay: true }];
  }

  buffers(): tf.Variable[] {
    return [];
  }

  maskedWeights(): MaskedWeight[] {
    return [];
  }
}

/** BatchNorm over the last axis (NHWC channels or features), PyTorch semantics: momentum 0.1, eps 1e-5. */
export class BatchNorm implements Module {
  private readonly gamma: tf.Variable;
  private readonly beta: tf.Variable;
  private readonly runningMean: tf.Variable;
  private readonly runningVar: tf.Variable;

  constructor(
    readonly name: string,
    channels: number,
    scope: string,
    private readonly momentum = 0.1,
    private readonly epsilon = 1e-5,
  ) {
    this.gamma = createVariable(scope, `${name}.weight`, new Float32Array(channels).fill(1), [channels]);
    this.beta = createVariable(scope, `${name}.bias`, new Float32Array(channels), [channels]);
    this.runningMean = createVariable(scope, `${name}.running_mean`, new Float32Array(channels), [channels], false);
    this.runningVar = createVariable(scope, `${name}.running_var`, new Float32Array(channels).fill(1), [channels], false);
  }

  apply(x: tf.Tensor, ctx: ForwardContext): tf.Tensor {
    if (!ctx.training) return tf.batchNorm(x, this.runningMean, this.runningVar, this.beta, this.gamma, this.epsilon);
    const { y, mean, variance } = batchNormTraining(x, this.gamma as tf.Tensor1D, this.beta as tf.Tensor1D, this.epsilon);
    this.updateRunningStats(mean, variance, x.size / x.shape[x.shape.length - 1]);
    return y;
  }

  parameters(): Parameter[] {
    return [
      { name: `${this.name}.weight`, variable: this.gamma, decay: false },
      { name: `${this.name}.bias`, variable: this.beta, decay: false },
    ];
  }

  buffers(): tf.Variable[] {
    return [this.runningMean, this.runningVar];
  }

  maskedWeights(): MaskedWeight[] {
    return [];
  }

  private updateRunningStats(mean: tf.Tensor, variance: tf.Tensor, count: number): void {
    tf.tidy(() => {
      const m = this.momentum;
      const unbiased = count > 1 ? tf.mul(variance, count / (count - 1)) : variance;
      this.runningMean.assign(tf.add(tf.mul(this.runningMean, 1 - m), tf.mul(mean, m)));
      this.runningVar.assign(tf.add(tf.mul(this.runningVar, 1 - m), tf.mul(unbiased, m)));
    });
  }
}
