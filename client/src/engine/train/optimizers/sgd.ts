// SGD with momentum, Nesterov and coupled weight decay, matching torch.optim.SGD (dampening 0):
//   g ← g + wd·w;  b ← μ·b + g;  d ← nesterov ? g + μ·b : b;  w ← w − lr·d
import * as tf from '@tensorflow/tfjs';
import type { Parameter } from '../../models/parameter.js';
import { SlotStore } from './slot-store.js';
import type { GradientMap, Optimizer, OptimizerOptions } from './types.js';

export class Sgd implements Optimizer {
  readonly kind = 'sgd';
  private readonly slots = new SlotStore(1);
  private steps = 0;

  constructor(private readonly options: OptimizerOptions) {}

  get iterations(): number {
    return this.steps;
  }

  readonly slotNames: readonly string[] = ['momentum'];

  readSlots(variable: tf.Variable): Float32Array[] | undefined {
    return this.slots.read(variable);
  }

  writeSlots(variable: tf.Variable, values: readonly Float32Array[]): void {
    this.slots.write(variable, values);
  }

  restoreIterations(steps: number): void {
    this.steps = steps;
  }

  step(gradients: GradientMap, lr: number): void {
    const { momentum, nesterov } = this.options;
    tf.tidy(() => {
      for (const parameter of this.options.parameters) {
        const gradient = gradients[parameter.variable.name];
        if (gradient === undefined) continue;
        const g = withDecay(parameter, gradient, this.options.weightDecay);
        let direction = g;
        if (momentum > 0) {
          const [buffer] = this.slots.get(parameter.variable);
          buffer.assign(tf.add(tf.mul(buffer, momentum), g));
          direction = nesterov ? tf.add(g, tf.mul(buffer, momentum)) : buffer;
        }
        parameter.variable.assign(tf.sub(parameter.variable, tf.mul(direction, lr)));
      }
    });
    this.steps += 1;
  }

  firstMoment(variable: tf.Variable): Float32Array | undefined {
    const slots = this.slots.peek(variable);
    return slots === undefined ? undefined : Float32Array.from(slots[0].dataSync());
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

export function withDecay(parameter: Parameter, gradient: tf.Tensor, weightDecay: number): tf.Tensor {
  return parameter.decay && weightDecay > 0 ? tf.add(gradient, tf.mul(parameter.variable, weightDecay)) : gradient;
}
