// 2×2/stride-2 max-pool with a hand-written gradient. tfjs-wasm 4.22's MaxPoolGrad is ~20x slower than the forward
// pool and also wrong: it drops the gradient of windows whose maximum is negative (measured; see
// test/engine/backend/ops.test.ts). Routing dy back to the window maxima with a nearest-neighbour upsample and an
// equality mask costs a few elementwise ops. Ties inside a window go to the first maximum in row-major order, as in
// PyTorch and in the sparse kernels' pool, so both compute paths agree (a pruned filter can output a constant).
import * as tf from '@tensorflow/tfjs';
import { padToExtent, tapExtent, tapScatter, tapView } from './taps.js';

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
      const firstMax = keepFirstInWindow(isMax, [batch, pooledHeight, pooledWidth, channels], upsample);
      const dx = tf.mul(firstMax, upsample(dy as tf.Tensor));
      if (covered === input) return [dx];
      // Rows/columns that no window covers (odd sizes, 'valid' floor) get no gradient.
      return [tf.pad(dx, [[0, 0], [0, height - coveredHeight], [0, width - coveredWidth], [0, 0]])];
    },
  };
});

/**
 * Keeps, in every 2×2 window of a 0/1 tensor, only the first 1 in row-major order: weight the flags by a per-position
 * priority (4, 3 / 2, 1), pool, and keep the position that holds its window's maximum. Only 4-D ops that are fast
 * on wasm (a 6-D slice formulation took ~800 ms per CNN batch).
 */
function keepFirstInWindow(flags: tf.Tensor, [, rows, columns]: readonly number[], upsample: (t: tf.Tensor) => tf.Tensor): tf.Tensor {
  const height = rows * 2;
  const width = columns * 2;
  const priority = new Float32Array(height * width);
  for (let r = 0; r < height; r++) {
    for (let q = 0; q < width; q++) priority[r * width + q] = 4 - 2 * (r % 2) - (q % 2);
  }
  const weighted = tf.mul(flags, tf.tensor4d(priority, [1, height, width, 1]));
  const best = tf.maxPool(weighted as tf.Tensor4D, 2, 2, 'valid');
  return tf.cast(tf.equal(weighted, upsample(best)), 'float32');
}

/** NHWC 2×2 max-pool with stride 2 and 'valid' padding (torch.nn.MaxPool2d(2)). */
export function maxPool2x2(x: tf.Tensor4D): tf.Tensor4D {
  return pool(x) as tf.Tensor4D;
}

/** Padding below this stands for −∞ (tfjs pools ignore padded positions; PyTorch pads max-pools with −∞). */
const NEGATIVE_FILL = -3.4e38;

const pools = new Map<string, (x: tf.Tensor4D) => tf.Tensor4D>();

/**
 * A k×k max-pool with stride s and symmetric padding p (torch.nn.MaxPool2d(k, s, p), e.g. the
 * ImageNet ResNet stem's 3×3/2/1), with a hand-written gradient: per window tap in row-major order, the positions
 * that hold their window's maximum and were not claimed by an earlier tap get dy (the first maximum wins, as in
 * PyTorch), scattered back with pad/reshape ops (backend/taps.ts). tfjs-wasm's MaxPoolGrad is slow and drops
 * negative maxima (see maxPool2x2).
 */
export function maxPool2d(x: tf.Tensor4D, kernel: number, stride: number, padding: number): tf.Tensor4D {
  if (kernel === 2 && stride === 2 && padding === 0) return maxPool2x2(x);
  if (!(padding >= 0 && padding < kernel)) throw new RangeError(`max-pool padding ${padding} must be in [0, ${kernel})`);
  const key = `${kernel}/${stride}/${padding}`;
  let op = pools.get(key);
  if (op === undefined) {
    op = makeStridedPool(kernel, stride, padding);
    pools.set(key, op);
  }
  return op(x);
}

function makeStridedPool(kernel: number, stride: number, padding: number): (x: tf.Tensor4D) => tf.Tensor4D {
  const strides = [stride, stride] as const;
  const op = tf.customGrad((...args: unknown[]) => {
    const [x, save] = args as [tf.Tensor4D, tf.GradSaveFunc];
    const y = tf.maxPool(x, kernel, stride, padding);
    save([x, y]);
    return {
      value: y,
      gradFunc: (dy: tf.Tensor | tf.Tensor[], saved: tf.Tensor[]) => {
        const [input, output] = saved as [tf.Tensor4D, tf.Tensor4D];
        const [batch, height, width, channels] = input.shape;
        const [, outH, outW] = output.shape;
        const extentH = tapExtent(height + 2 * padding, kernel, stride, outH);
        const extentW = tapExtent(width + 2 * padding, kernel, stride, outW);
        const padded = padToExtent(input, padding, padding, extentH, extentW, NEGATIVE_FILL);
        let claimed: tf.Tensor = tf.zerosLike(output);
        const parts: tf.Tensor4D[] = [];
        for (let r = 0; r < kernel; r++) {
          for (let q = 0; q < kernel; q++) {
            const isMax = tf.mul(tf.cast(tf.equal(tapView(padded, r, q, outH, outW, strides), output), 'float32'), tf.sub(1, claimed));
            claimed = tf.add(claimed, isMax);
            parts.push(tapScatter(tf.mul(isMax, dy as tf.Tensor) as tf.Tensor4D, r, q, extentH, extentW, strides));
          }
        }
        return [tf.slice(tf.addN(parts), [0, padding, padding, 0], [batch, height, width, channels])];
      },
    };
  });
  return (x) => op(x) as tf.Tensor4D;
}
