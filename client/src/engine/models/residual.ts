// CIFAR-style ResNet BasicBlock: conv3×3(stride) → BN → ReLU → conv3×3 → BN, plus the identity or a
// 1×1 conv(stride) + BN shortcut when the shape changes, then ReLU. Names follow PyTorch:
// `<prefix>.conv1`, `<prefix>.bn1`, `<prefix>.conv2`, `<prefix>.bn2`, `<prefix>.shortcut.0`, `<prefix>.shortcut.1`.
// Residual: the generic block the seed networks are built from (basic, bottleneck, WRN, inverted residual).
import * as tf from '@tensorflow/tfjs';
import type { Rng } from '../util/rng.js';
import { BatchNorm, Conv2d } from './layers.js';
import { CompositeModule, type ForwardContext, type Module } from './module.js';

export class BasicBlock extends CompositeModule {
  private readonly conv1: Conv2d;
  private readonly bn1: BatchNorm;
  private readonly conv2: Conv2d;
  private readonly bn2: BatchNorm;
  private readonly shortcut: readonly [Conv2d, BatchNorm] | undefined;

  constructor(prefix: string, inChannels: number, outChannels: number, stride: number, scope: string, rng: Rng) {
    super();
    const layer = (name: string) => ({ scope, name: `${prefix}.${name}`, rng, bias: false });
    this.conv1 = new Conv2d(inChannels, outChannels, 3, stride, layer('conv1'));
    this.bn1 = new BatchNorm(`${prefix}.bn1`, outChannels, scope);
    this.conv2 = new Conv2d(outChannels, outChannels, 3, 1, layer('conv2'));
    this.bn2 = new BatchNorm(`${prefix}.bn2`, outChannels, scope);
    if (stride !== 1 || inChannels !== outChannels) {
      this.shortcut = [
        new Conv2d(inChannels, outChannels, 1, stride, layer('shortcut.0')),
        new BatchNorm(`${prefix}.shortcut.1`, outChannels, scope),
      ];
    }
  }

  apply(x: tf.Tensor, ctx: ForwardContext): tf.Tensor {
    const main = this.bn2.apply(this.conv2.apply(tf.relu(this.bn1.apply(this.conv1.apply(x, ctx), ctx)), ctx), ctx);
    const skip = this.shortcut === undefined ? x : this.shortcut[1].apply(this.shortcut[0].apply(x, ctx), ctx);
    return tf.relu(tf.add(main, skip));
  }

  /** Modules in PyTorch registration order (conv1, bn1, conv2, bn2, shortcut). */
  protected parts(): Module[] {
    return [this.conv1, this.bn1, this.conv2, this.bn2, ...(this.shortcut ?? [])];
  }
}

/**
 * A residual block of the seed networks (architectures/plan.ts ResidualNode): `pre` on the input, `body` on that,
 * plus the shortcut (identity or layers) on the input or the pre-activated input, then `post` on the sum.
 * Parameters in registration order: pre, body, shortcut, post.
 */
export class Residual extends CompositeModule {
  constructor(
    private readonly pre: readonly Module[],
    private readonly body: readonly Module[],
    private readonly shortcut: readonly Module[] | 'identity',
    private readonly shortcutFromPre: boolean,
    private readonly post: readonly Module[],
  ) {
    super();
  }

  apply(x: tf.Tensor, ctx: ForwardContext): tf.Tensor {
    const run = (modules: readonly Module[], input: tf.Tensor) => modules.reduce((value, module) => module.apply(value, ctx), input);
    const activated = run(this.pre, x);
    const main = run(this.body, activated);
    const source = this.shortcutFromPre ? activated : x;
    const skip = this.shortcut === 'identity' ? source : run(this.shortcut, source);
    return run(this.post, tf.add(main, skip));
  }

  protected parts(): Module[] {
    return [...this.pre, ...this.body, ...(this.shortcut === 'identity' ? [] : this.shortcut), ...this.post];
  }
}
