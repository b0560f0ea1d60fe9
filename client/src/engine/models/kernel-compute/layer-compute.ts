// One compressed layer on the kernels where no segment can hold it (inside a residual block, between BatchNorms):
// a one-op segment behind the layer's LayerCompute. Its input and output cross the layout border on every call,
// so it gains less than a segment does, but its weights are compressed all the same. The layer's bias is added by
// the module, outside, as on the masked-dense path.
import type * as tf from '@tensorflow/tfjs';
import type { LayerCompute, MaskedWeight } from '../masked-weight.js';
import type { LayerBinding } from './binding.js';
import type { KernelContext } from './context.js';
import { WeightedOp } from './ops.js';
import { KernelSegment } from './segment.js';

export class KernelLayerCompute implements LayerCompute {
  private readonly segment: KernelSegment;

  constructor(context: KernelContext, binding: LayerBinding) {
    this.segment = new KernelSegment(context, [], [new WeightedOp(binding, undefined, false)], true);
  }

  forward(x: tf.Tensor, _layer: MaskedWeight): tf.Tensor {
    return this.segment.apply(x, { training: true });
  }
}
