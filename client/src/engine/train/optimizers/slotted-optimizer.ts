// What SGD and Adam share: per-variable slots kept in a SlotStore, the step counter, and the slot access that mask
// updates and checkpoints need. Subclasses only say how many slots they keep and how one step updates them.
import * as tf from '@tensorflow/tfjs';
import type { Parameter } from '../../models/parameter.js';
import { SlotStore } from './slot-store.js';
import type { GradientMap, Optimizer, OptimizerOptions } from './types.js';

export abstract class SlottedOptimizer implements Optimizer {
  abstract readonly kind: 'sgd' | 'adam';
  protected readonly slots: SlotStore;
  protected steps = 0;

  protected constructor(
    protected readonly options: OptimizerOptions,
    readonly slotNames: readonly string[],
  ) {
    this.slots = new SlotStore(slotNames.length);
  }

  get iterations(): number {
    return this.steps;
  }

  abstract step(gradients: GradientMap, lr: number): void;

  abstract firstMoment(variable: tf.Variable): Float32Array | undefined;

  readSlots(variable: tf.Variable): Float32Array[] | undefined {
    return this.slots.read(variable);
  }

  writeSlots(variable: tf.Variable, values: readonly Float32Array[]): void {
    this.slots.write(variable, values);
  }

  restoreIterations(steps: number): void {
    this.steps = steps;
  }

  maskSlots(variable: tf.Variable, keep: tf.Tensor): void {
    this.slots.mask(variable, keep);
  }

  remapSlots(variable: tf.Variable, from: Int32Array): void {
    this.slots.remap(variable, from);
  }

  dispose(): void {
    this.slots.dispose();
  }
}

/** Coupled L2 decay: g + wd·w for parameters that decay (conv and linear weights), g otherwise. */
export function withDecay(parameter: Parameter, gradient: tf.Tensor, weightDecay: number): tf.Tensor {
  return parameter.decay && weightDecay > 0 ? tf.add(gradient, tf.mul(parameter.variable, weightDecay)) : gradient;
}
