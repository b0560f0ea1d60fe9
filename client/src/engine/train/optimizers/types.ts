// Optimizers over tf.Variables whose state (slots) is visible, so mask updates can reset and zero it.
import type * as tf from '@tensorflow/tfjs';
import type { OptimizerSlots, Parameter } from '../../models/parameter.js';

/** Gradients keyed by variable name (the shape tf.variableGrads returns). */
export type GradientMap = Record<string, tf.Tensor>;

export interface Optimizer extends OptimizerSlots {
  readonly kind: 'sgd' | 'adam';
  /** Apply one update with learning rate `lr`. Parameters without a gradient are left alone. */
  step(gradients: GradientMap, lr: number): void;
  /** Steps taken so far. */
  readonly iterations: number;
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
