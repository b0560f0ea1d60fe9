// A minimal module system over tf.Variables (not tf.layers): each module maps a tensor to a tensor and lists its
// trainable parameters, running-statistics buffers and maskable weights.
import * as tf from '@tensorflow/tfjs';
import { maxPool2d, maxPool2x2 } from '../backend/max-pool.js';
import type { MaskedWeight } from './masked-weight.js';
import type { Parameter } from './parameter.js';

export interface ForwardContext {
  /** Training mode: BatchNorm uses batch statistics and updates its running averages. */
  readonly training: boolean;
}

export interface Module {
  apply(x: tf.Tensor, ctx: ForwardContext): tf.Tensor;
  parameters(): Parameter[];
  /** Non-trainable state (BatchNorm running mean/variance). */
  buffers(): tf.Variable[];
  maskedWeights(): MaskedWeight[];
}

/** A module without state: ReLU, pooling, flatten. */
export abstract class StatelessModule implements Module {
  abstract apply(x: tf.Tensor, ctx: ForwardContext): tf.Tensor;
  parameters(): Parameter[] {
    return [];
  }
  buffers(): tf.Variable[] {
    return [];
  }
  maskedWeights(): MaskedWeight[] {
    return [];
  }
}

/** A module made of other modules: its parameters, buffers and masked weights are theirs, in registration order. */
export abstract class CompositeModule implements Module {
  abstract apply(x: tf.Tensor, ctx: ForwardContext): tf.Tensor;
  protected abstract parts(): readonly Module[];

  parameters(): Parameter[] {
    return this.parts().flatMap((module) => module.parameters());
  }
  buffers(): tf.Variable[] {
    return this.parts().flatMap((module) => module.buffers());
  }
  maskedWeights(): MaskedWeight[] {
    return this.parts().flatMap((module) => module.maskedWeights());
  }
}

export class Sequential extends CompositeModule {
  constructor(readonly modules: readonly Module[]) {
    super();
  }

  apply(x: tf.Tensor, ctx: ForwardContext): tf.Tensor {
    return this.modules.reduce((value, module) => module.apply(value, ctx), x);
  }
  protected parts(): readonly Module[] {
    return this.modules;
  }
}

export class ReLU extends StatelessModule {
  apply(x: tf.Tensor): tf.Tensor {
    return tf.relu(x);
  }
}

/** min(max(x, 0), 6) (MobileNetV2). */
export class ReLU6 extends StatelessModule {
  apply(x: tf.Tensor): tf.Tensor {
    return tf.relu6(x);
  }
}

/** torch.nn.MaxPool2d(kernel, stride, padding), padding counting as −∞ (e.g. the ImageNet ResNet stem's 3/2/1). */
export class MaxPool2d extends StatelessModule {
  constructor(
    readonly kernel: number,
    readonly stride: number,
    readonly padding: number,
  ) {
    super();
  }
  apply(x: tf.Tensor): tf.Tensor {
    return maxPool2d(x as tf.Tensor4D, this.kernel, this.stride, this.padding);
  }
}

/** 2×2 max-pool, stride 2, 'valid' (floor), as torch.nn.MaxPool2d(2). */
export class MaxPool2x2 extends StatelessModule {
  apply(x: tf.Tensor): tf.Tensor {
    return maxPool2x2(x as tf.Tensor4D);
  }
}

export class GlobalAvgPool extends StatelessModule {
  apply(x: tf.Tensor): tf.Tensor {
    return tf.mean(x, [1, 2]);
  }
}

export class Flatten extends StatelessModule {
  apply(x: tf.Tensor): tf.Tensor {
    return tf.reshape(x, [x.shape[0], -1]);
  }
}
