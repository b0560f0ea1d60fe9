// Stock tfjs autodiff for linear and conv layers: plain tf.matMul / tf.conv2d with their registered gradients.
// For benchmarks only: on wasm, matMul's gradient takes the transposed-operand fallback (~10× slower per FLOP than
// the forward) and conv training needs the Conv2DBackpropFilter kernel that tfjs-backend-wasm 4.22 lacks. The
// engine's dense path (DenseLinearCompute / DenseConvCompute plus backend/conv-gradient.ts) is the corrected one.
import * as tf from '@tensorflow/tfjs';
import { DenseConvCompute, DenseLinearCompute, type ConvPadding } from './layers.js';
import type { LayerCompute, MaskedWeight } from './masked-weight.js';
import type { Model } from './model.js';

export class StockLinearCompute implements LayerCompute {
  forward(x: tf.Tensor, layer: MaskedWeight): tf.Tensor {
    return tf.matMul(x as tf.Tensor2D, layer.effectiveWeight() as tf.Tensor2D);
  }
}

export class StockConvCompute implements LayerCompute {
  constructor(
    private readonly stride: number,
    private readonly padding: ConvPadding = 'same',
  ) {}
  forward(x: tf.Tensor, layer: MaskedWeight): tf.Tensor {
    return tf.conv2d(x as tf.Tensor4D, layer.effectiveWeight() as tf.Tensor4D, this.stride, this.padding);
  }
}

/**
 * Switches every masked-dense linear/conv layer (residual blocks included) to stock autodiff; returns how many.
 * Layers already on the sparse kernels keep their compute.
 */
export function useStockCompute(model: Model): number {
  let switched = 0;
  for (const weight of model.maskedWeights) {
    const compute = weight.layerCompute;
    if (compute instanceof DenseLinearCompute) {
      weight.setCompute(new StockLinearCompute());
      switched++;
    } else if (compute instanceof DenseConvCompute) {
      weight.setCompute(new StockConvCompute(compute.stride, compute.padding));
      switched++;
    }
  }
  return switched;
}
