// What SGD and Adam share: per-variable slots kept in a SlotStore, the step counter, and the slot access that mask
// updates and checkpoints need. Subclasses only say how many slots they keep and how one step updates them.
import * as tf from '@tensorflow/tfjs';
import type { KernelRuntime, WasmF32 } from '../../kernels/runtime.js';
import type { KernelParameter } from '../../models/kernel-compute/segment.js';
import { assignFromKernel, transientValues } from '../../models/kernel-compute/tensor-values.js';
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

  updateInKernel(rt: KernelRuntime, parameters: readonly KernelParameter[], lr: number): void {
    const byName = new Map(parameters.map((item) => [item.variable.name, item]));
    const pairs = this.options.parameters.map((parameter) => {
      const item = byName.get(parameter.variable.name);
      if (item === undefined) throw new Error(`${parameter.name}: no values in kernel memory to update`);
      if (item.values.length !== parameter.variable.size || item.gradient.length !== item.values.length) {
        throw new RangeError(`${parameter.name}: ${item.values.length} values and ${item.gradient.length} gradients for ${parameter.variable.size}`);
      }
      return { parameter, item };
    });
    const t = this.steps + 1;
    for (const { parameter, item } of pairs) {
      const slots = this.keepsSlots ? this.slots.get(parameter.variable) : [];
      // The slots cross into kernel memory and back (one copy each way, no tfjs op).
      const buffers = slots.map((slot) => rt.uploadF32(transientValues(slot)));
      const decay = parameter.decay ? this.options.weightDecay : 0;
      this.kernelUpdate(rt, item, buffers, decay, lr, t);
      slots.forEach((slot, k) => assignFromKernel(rt, slot, buffers[k]));
    }
    this.steps = t;
  }

  /** Whether the update keeps per-variable slots (SGD without momentum does not). */
  protected abstract get keepsSlots(): boolean;

  /** One parameter's update on kernel memory, in place: values, and the slots (slotNames order); t counts from 1. */
  protected abstract kernelUpdate(rt: KernelRuntime, item: KernelParameter, slots: readonly WasmF32[], decay: number, lr: number, t: number): void;

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
