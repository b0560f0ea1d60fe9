// One compressed layer on the kernels where no segment can hold it (inside a residual block, between BatchNorms):
// a one-op segment behind the layer's LayerCompute. Its input and output cross the layout border on every call,
// so it gains less than a segment does, but its weights are compressed all the same. The layer's bias is added by
// the module, outside, as on the masked-dense path. A strided 1×1 conv (a ResNet downsample, a WRN shortcut) reads
// every s-th row and column of its input, so it runs as that subsample (tfjs, differentiable) + the stride-1 kernel.
import type * as tf from '@tensorflow/tfjs';
import { subsample } from '../../backend/taps.js';
import type { LayerCompute, MaskedWeight } from '../masked-weight.js';
import type { LayerBinding } from './binding.js';
import type { KernelContext } from './context.js';
import { WeightedOp } from './ops.js';
import { KernelSegment } from './segment.js';

export class KernelLayerCompute implements LayerCompute {
  private readonly segment: KernelSegment;

  constructor(
    context: KernelContext,
    binding: LayerBinding,
    /** Subsample stride before the kernel (1×1 convs only). */
    private readonly stride = 1,
  ) {
    const { kh, kw } = binding.weight.shape;
    if (stride !== 1 && (kh !== 1 || kw !== 1)) throw new RangeError(`${binding.weight.name}: only 1×1 convs run strided on the kernels`);
    this.segment = new KernelSegment(context, [], [new WeightedOp(binding, undefined, false)], true);
  }

  forward(x: tf.Tensor, _layer: MaskedWeight): tf.Tensor {
    const input = this.stride === 1 ? x : subsample(x as tf.Tensor4D, [this.stride, this.stride]);
    return this.segment.apply(input, { training: true });
  }
}
