// 2×2/stride-2 max-pool with a hand-written gradient. tfjs-wasm 4.22's MaxPoolGrad is ~20x slower than the forward
// pool and also wrong: it drops the gradient of windows whose maximum is negative (measured; see
// test/engine/backend/ops.test.ts). Routing dy back to the window maxima with a nearest-neighbour upsample and an
// equality mask costs a few elementwise ops. Ties inside a window (rare except all-zero windows after ReLU, whose ReLU gradient is 0 anyway)
// send the gradient to every tied position, where PyTorch picks the first.
import * as tf from '@tensorflow/tfjs';

const pool = tf.customGrad((...args: unknown[]) => {
  const [x, save] = args as [tf.Tensor4D, tf.GradSaveFunc];
  const y = tf.maxPool(x, 2, 2, 'valid');
  save([x, y]);
  return {
    value: y,
    gradFunc: (dy: tf.Tensor | tf.Tensor[], saved: tf.Tensor[]) => {
      const [input, output] = saved as [tf.Tensor4D, tf.Tensor4D];
      const [, height, width] = input.shape;
      const [, pooledHeight, pooledWidth] = output.shape;
      const coveredHeight = pooledHeight * 2;
      const coveredWidth = pooledWidth * 2;
      const covered =
        coveredHeight === height && coveredWidth === width
          ? input
          : tf.slice(input, [0, 0, 0, 0], [-1, coveredHeight, coveredWidth, -1]);
      const [batch, , , channels] = output.shape;
      // Nearest-neighbour 2× upsample by broadcasting against ones (Tile is very slow on wasm).
      const ones = tf.ones([1, 1, 2, 1, 2, 1]);
      const upsample = (t: tf.Tensor) =>
        tf.reshape(tf.mul(tf.reshape(t, [batch, pooledHeight, 1, pooledWidth, 1, channels]), ones), [
          batch,
          coveredHeight,
          coveredWidth,
          channels,
        ]);
      const isMax = tf.cast(tf.equal(covered, upsample(output)), 'float32');
      const dx = tf.mul(isMax, upsample(dy as tf.Tensor));
      if (covered === input) return [dx];
      // Rows/columns that no window covers (odd sizes, 'valid' floor) get no gradient.
      return [tf.pad(dx, [[0, 0], [0, height - coveredHeight], [0, width - coveredWidth], [0, 0]])];
    },
  };
});

/** NHWC 2×2 max-pool with stride 2 and 'valid' padding (torch.nn.MaxPool2d(2)). */
export function maxPool2x2(x: tf.Tensor4D): tf.Tensor4D {
  return pool(x) as tf.Tensor4D;
}
