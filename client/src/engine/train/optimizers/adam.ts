// Adam with coupled L2 weight decay, matching torch.optim.Adam (not AdamW):
//   g ← g + wd·w;  m ← β1·m + (1−β1)·g;  v ← β2·v + (1−β2)·g²;  w ← w − lr·m̂ / (sqrt(v̂) + ε)
// with bias corrections m̂ = m / (1−β1^t), v̂ = v / (1−β2^t), t counted per optimizer.
import * as tf from '@tensorflow/tfjs';
import type { KernelRuntime, WasmF32 } from '../../kernels/runtime.js';
import type { KernelParameter } from '../../models/kernel-compute/segment.js';
import { SlottedOptimizer, withDecay } from './slotted-optimizer.js';
import type { GradientMap, OptimizerOptions } from './types.js';

const BETA2 = 0.999;
const EPSILON = 1e-8;
/** The first-moment score methods read (GraNet's momentum growth for Adam): m / (sqrt(v) + 1e-8). */
const MOMENT_EPSILON = 1e-8;

export class Adam extends SlottedOptimizer {
  readonly kind = 'adam';

  constructor(options: OptimizerOptions) {
    super(options, ['m', 'v']);
  }

  step(gradients: GradientMap, lr: number): void {
    const beta1 = this.options.momentum;
    const t = this.steps + 1;
    const { stepSize, epsilonHat } = biasCorrected(lr, beta1, t);
    tf.tidy(() => {
      for (const parameter of this.options.parameters) {
        const gradient = gradients[parameter.variable.name];
        if (gradient === undefined) continue;
        const g = withDecay(parameter, gradient, this.options.weightDecay);
        const [m, v] = this.slots.get(parameter.variable);
        m.assign(tf.add(tf.mul(m, beta1), tf.mul(g, 1 - beta1)));
        v.assign(tf.add(tf.mul(v, BETA2), tf.mul(tf.square(g), 1 - BETA2)));
        // lr·m̂/(sqrt(v̂)+ε) rewritten with the bias corrections folded into the step size and ε.
        const update = tf.div(m, tf.add(tf.sqrt(v), epsilonHat));
        parameter.variable.assign(tf.sub(parameter.variable, tf.mul(update, stepSize)));
      }
    });
    this.steps = t;
  }

  protected get keepsSlots(): boolean {
    return true;
  }

  protected kernelUpdate(rt: KernelRuntime, item: KernelParameter, slots: readonly WasmF32[], decay: number, lr: number, t: number): void {
    const beta1 = this.options.momentum;
    const { stepSize, epsilonHat } = biasCorrected(lr, beta1, t);
    const [m, v] = slots;
    rt.raw.adamUpdate(item.values.length, item.values.ptr, item.gradient.ptr, m.ptr, v.ptr, beta1, 1 - beta1, BETA2, 1 - BETA2, stepSize, epsilonHat, decay);
  }

  firstMoment(variable: tf.Variable): Float32Array | undefined {
    const slots = this.slots.peek(variable);
    if (slots === undefined) return undefined;
    return tf.tidy(() => Float32Array.from(tf.div(slots[0], tf.add(tf.sqrt(slots[1]), MOMENT_EPSILON)).dataSync()));
  }
}

/** lr·m̂/(sqrt(v̂)+ε) with the bias corrections of step t folded into the step size and ε. */
function biasCorrected(lr: number, beta1: number, t: number): { stepSize: number; epsilonHat: number } {
  return { stepSize: (lr * Math.sqrt(1 - BETA2 ** t)) / (1 - beta1 ** t), epsilonHat: EPSILON * Math.sqrt(1 - BETA2 ** t) };
}
