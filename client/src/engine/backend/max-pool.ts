// 2×2/stride-2 max-pool with a hand-written gradient. tfjs-wasm 4.22's MaxPoolGrad is ~20x slower than the forward
// pool and also wrong: it drops the gradient of windows whose maximum is negative (measured; see
// test/engine/backend/ops.test.ts). Routing dy back to the window maxima with a nearest-neighbour upsample and an
// equality mask costs a few elementwise ops. Ties inside a window go to the first maximum in row-major order, as in
// PyTorch and in the sparse kernels' pool, so both compute paths agree (a pruned filter can output a constant).
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
      const firstMax = keepFirstInWindow(isMax, [batch, pooledHeight, pooledWidth, channels]);
      const dx = tf.mul(firstMax, upsample(dy as tf.Tensor));
      if (covered === input) return [dx];
      // Rows/columns that no window covers (odd sizes, 'valid' floor) get no gradient.
      return [tf.pad(dx, [[0, 0], [0, height - coveredHeight], [0, width - coveredWidth], [0, 0]])];
    },
  };
});

/** Keeps, in every 2×2 window of a 0/1 tensor, only the first 1 in row-major order. */
function keepFirstInWindow(flags: tf.Tensor, [batch, rows, columns, channels]: readonly number[]): tf.Tensor {
  const windows = tf.reshape(flags, [batch, rows, 2, columns, 2, channels]);
  const at = (r: number, q: number) => tf.slice(windows, [0, 0, r, 0, q, 0], [-1, -1, 1, -1, 1, -1]);
  const [e00, e01, e10, e11] = [at(0, 0), at(0, 1), at(1, 0), at(1, 1)];
  const none00 = tf.sub(1, e00);
  const none0001 = tf.mul(none00, tf.sub(1, e01));
  const first01 = tf.mul(e01, none00);
  const first10 = tf.mul(e10, none0001);
  const first11 = tf.mul(e11, tf.mul(none0001, tf.sub(1, e10)));
  const top = tf.concat([e00, first01], 4);
  const bottom = tf.concat([first10, first11], 4);
  return tf.reshape(tf.concat([top, bottom], 2), [batch, rows * 2, columns * 2, channels]);
}

/** NHWC 2×2 max-pool with stride 2 and 'valid' padding (torch.nn.MaxPool2d(2)). */
export function maxPool2x2(x: tf.Tensor4D): tf.Tensor4D {
  return pool(x) as tf.Tensor4D;
}
