// Stock tfjs autodiff for linear and conv layers: plain tf.matMul / tf.conv2d with their registered gradients.
// For benchmarks only: on wasm, matMul's gradient takes the transposed-operand fallback (~10× slower per FLOP than
// the forward) and conv training needs the Conv2DBackpropFilter kernel that tfjs-backend-wasm 4.22 lacks. The
// engine's dense path (DenseLinearCompute / DenseConvCompute plus backend/conv-gradient.ts) is the corrected one.
import * as tf from '@tensorflow/tfjs';
import { Conv2d, Linear } from './layers.js';
import type { LayerCompute, MaskedWeight } from './masked-weight.js';
import type { Model } from './model.js';
import { Sequential, type Module } from './module.js';

export class StockLinearCompute implements LayerCompute {
  forward(x: tf.Tensor, layer: MaskedWeight): tf.Tensor {
    return tf.matMul(x as tf.Tensor2D, layer.effectiveWeight() as tf.Tensor2D);
  }
}

export class StockConvCompute implements LayerCompute {
  constructor(private readonly stride: number) {}
  forward(x: tf.Tensor, layer: MaskedWeight): tf.Tensor {
    return tf.conv2d(x as tf.Tensor4D, layer.effectiveWeight() as tf.Tensor4D, this.stride, 'same');
  }
}

/** Switches every linear/conv layer reachable through Sequentials to stock autodiff; returns how many. */
export function useStockCompute(model: Model): number {
  let switched = 0;
  const visit = (module: Module): void => {
    if (module instanceof Sequential) module.modules.forEach(visit);
    else if (module instanceof Linear) {
      module.weight.setCompute(new StockLinearCompute());
      switched++;
    } else if (module instanceof Conv2d) {
      module.weight.setCompute(new StockConvCompute(module.stride));
      switched++;
    }
  };
  visit(model.network);
  return switched;
}
