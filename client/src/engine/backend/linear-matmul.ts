// y = x·w for a linear layer, with a hand-written gradient. tfjs-wasm runs matMul with a transpose flag (what the
// stock gradient uses) on a scalar fallback, ~10x slower than a plain matMul; an explicit tf.transpose followed by
// a plain matMul stays on XNNPACK (notes/kernels.md, B1). The first layer of a network can skip dx entirely.
import * as tf from '@tensorflow/tfjs';

type MatMul = (x: tf.Tensor2D, w: tf.Tensor2D) => tf.Tensor2D;

function makeLinearMatMul(inputGradient: boolean): MatMul {
  const op = tf.customGrad((...args: unknown[]) => {
    const [x, w, save] = args as [tf.Tensor2D, tf.Tensor2D, tf.GradSaveFunc];
    save([x, w]);
    return {
      value: tf.matMul(x, w),
      gradFunc: (dy: tf.Tensor | tf.Tensor[], saved: tf.Tensor[]) => {
        const upstream = dy as tf.Tensor2D;
        const [savedX, savedW] = saved as [tf.Tensor2D, tf.Tensor2D];
        const dw = tf.matMul(tf.transpose(savedX), upstream);
        const dx = inputGradient ? tf.matMul(upstream, tf.transpose(savedW)) : tf.zerosLike(savedX);
        return [dx, dw];
      },
    };
  });
  return (x, w) => op(x, w) as tf.Tensor2D;
}

const withInputGradient = makeLinearMatMul(true);
const withoutInputGradient = makeLinearMatMul(false);

/**
 * x [batch, in] · w [in, out]. Pass `inputGradient: false` when x is network input (its gradient is never used);
 * dx is then returned as zeros.
 */
export function linearMatMul(x: tf.Tensor2D, w: tf.Tensor2D, inputGradient = true): tf.Tensor2D {
  return inputGradient ? withInputGradient(x, w) : withoutInputGradient(x, w);
}
