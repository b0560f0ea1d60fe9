// Optimizers over tf.Variables whose state (slots) is visible, so mask updates can reset and zero it.
import type * as tf from '@tensorflow/tfjs';
import type { KernelRuntime } from '../../kernels/runtime.js';
import type { KernelParameter } from '../../models/kernel-compute/segment.js';
import type { OptimizerSlots, Parameter } from '../../models/parameter.js';

/** Gradients keyed by variable name (the shape tf.variableGrads returns). */
export type GradientMap = Record<string, tf.Tensor>;

export interface Optimizer extends OptimizerSlots {
  readonly kind: 'sgd' | 'adam';
  /** Apply one update with learning rate `lr`. Parameters without a gradient are left alone. */
  step(gradients: GradientMap, lr: number): void;
  /**
   * Apply one update to parameters whose current values and gradients are in kernel memory, in place there (the
   * caller copies the values back into the variables). Every parameter of the optimizer must be among them.
   */
  updateInKernel(rt: KernelRuntime, parameters: readonly KernelParameter[], lr: number): void;
  /** Steps taken so far. */
  readonly iterations: number;
  /** Names of the per-variable slots, in order ('momentum'; 'm', 'v'). */
  readonly slotNames: readonly string[];
  /** Copies of the slots of `variable` (tf layout), undefined before its first update (checkpoints). */
  readSlots(variable: tf.Variable): Float32Array[] | undefined;
  /** Restores the slots of `variable` from a checkpoint, one array per slot name. */
  writeSlots(variable: tf.Variable, values: readonly Float32Array[]): void;
  /** Restores the step counter from a checkpoint (Adam's bias correction depends on it). */
  restoreIterations(steps: number): void;
  dispose(): void;
}

export interface OptimizerOptions {
  readonly parameters: readonly Parameter[];
  /** SGD momentum or Adam beta1. */
  readonly momentum: number;
  readonly nesterov: boolean;
  /** Coupled L2 decay (added to the gradient) for parameters with `decay`. */
  readonly weightDecay: number;
}
