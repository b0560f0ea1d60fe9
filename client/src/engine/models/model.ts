// A built network: forward pass, parameters, maskable weights and disposal.
import * as tf from '@tensorflow/tfjs';
import type { MaskableLayerInfo } from '../sparse/types.js';
import type { InputShape, ModelName } from './catalog.js';
import type { KernelContext } from './kernel-compute/context.js';
import type { MaskedWeight } from './masked-weight.js';
import type { Module } from './module.js';
import type { Parameter } from './parameter.js';

export class Model {
  readonly parameters: readonly Parameter[];
  readonly buffers: readonly tf.Variable[];
  readonly maskedWeights: readonly MaskedWeight[];
  private disposed = false;
  private executor: Module;
  private kernels: KernelContext | undefined;

  constructor(
    readonly name: ModelName,
    readonly inputShape: InputShape,
    readonly numClasses: number,
    readonly network: Module,
    /** Weight layers that are never masked (depthwise convs), with why; they train dense. */
    readonly unmaskedLayers: readonly { readonly name: string; readonly reason: string }[] = [],
  ) {
    this.parameters = network.parameters();
    this.buffers = network.buffers();
    this.maskedWeights = network.maskedWeights();
    this.executor = network;
  }

  /** x: [batch, height, width, channels] → logits [batch, numClasses]. */
  forward(x: tf.Tensor, training: boolean): tf.Tensor2D {
    this.kernels?.beginPass();
    return this.executor.apply(x, { training }) as tf.Tensor2D;
  }

  /**
   * Runs the network through `executor` (the same modules, some regrouped into kernel segments) whose kernel
   * memory is `kernels`. Parameters and masked weights stay those of `network`.
   */
  useExecutor(executor: Module, kernels: KernelContext | undefined): void {
    this.executor = executor;
    this.kernels = kernels;
  }

  /** The kernel memory of the sparse-kernel layers, when any. */
  get kernelContext(): KernelContext | undefined {
    return this.kernels;
  }

  /** Names and shapes of the maskable layers, in the catalog's order. */
  maskableLayers(): MaskableLayerInfo[] {
    return this.maskedWeights.map((weight) => ({ name: weight.name, shape: weight.shape }));
  }

  trainableVariables(): tf.Variable[] {
    return this.parameters.map((parameter) => parameter.variable);
  }

  parameterCount(): number {
    return this.parameters.reduce((sum, parameter) => sum + parameter.variable.size, 0);
  }

  dispose(): void {
    if (this.disposed) return;
    this.disposed = true;
    void this.kernels?.runtime.close(); // stops the kernel worker pool, if any
    for (const weight of this.maskedWeights) weight.dispose();
    for (const parameter of this.parameters) parameter.variable.dispose();
    for (const buffer of this.buffers) buffer.dispose();
  }
}
