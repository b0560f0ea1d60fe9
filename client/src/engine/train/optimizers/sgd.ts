// SGD with momentum, Nesterov and coupled weight decay, matching torch.optim.SGD (dampening 0):
//   g ← g + wd·w;  b ← μ·b + g;  d ← nesterov ? g + μ·b : b;  w ← w − lr·d
import * as tf from '@tensorflow/tfjs';
import type { KernelRuntime, WasmF32 } from '../../kernels/runtime.js';
import type { KernelParameter } from '../../models/kernel-compute/segment.js';
import { SlottedOptimizer, withDecay } from './slotted-optimizer.js';
import type { GradientMap, OptimizerOptions } from './types.js';

export class Sgd extends SlottedOptimizer {
  readonly kind = 'sgd';

  constructor(options: OptimizerOptions) {
    super(options, ['momentum']);
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

  protected get keepsSlots(): boolean {
    return this.options.momentum > 0;
  }

  protected kernelUpdate(rt: KernelRuntime, item: KernelParameter, slots: readonly WasmF32[], decay: number, lr: number): void {
    const { momentum, nesterov } = this.options;
    rt.raw.sgdUpdate(item.values.length, item.values.ptr, item.gradient.ptr, slots[0]?.ptr ?? 0, lr, momentum, nesterov, decay);
  }

  firstMoment(variable: tf.Variable): Float32Array | undefined {
    const slots = this.slots.peek(variable);
    return slots === undefined ? undefined : Float32Array.from(slots[0].dataSync());
  }
}
