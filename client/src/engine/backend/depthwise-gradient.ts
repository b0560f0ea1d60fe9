// DepthwiseConv2dNative gradient that trains on every backend. tfjs-backend-wasm 4.22 has neither
// DepthwiseConv2dNativeBackpropFilter nor DepthwiseConv2dNativeBackpropInput (training MobileNet-style layers fails
// with "Kernel ... not registered for backend 'wasm'"), so the gradient is re-registered in terms of ops every backend
// runs, as backend/conv-gradient.ts does for Conv2D:
//   dx: a stride-1 depthwise correlation of dy (zero-dilated by the strides and padded) with the spatially flipped
//       filter, i.e. dx[y] = Σ_r W[r]·dy_dilated[y + top − r];
//   dW: per tap (r, q), Σ over batch and output positions of the tap's strided view of the padded input times dy
//       (kh·kw elementwise products and reductions).
// Only NHWC, dilation 1, channel multiplier 1 and 'same'/'valid'/numeric padding are rewritten; anything else keeps
// the stock gradient.
import * as tf from '@tensorflow/tfjs';
import { explicitPadding, pair } from './conv-gradient.js';
import { isPlainNhwc, overrideConvGradient } from './conv-gradient-override.js';
import { padOrCrop, padToExtent, tapExtent, tapView, dilate } from './taps.js';

export function registerDepthwiseConv2dGradient(): void {
  overrideConvGradient('DepthwiseConv2dNative', (dy, x, filter, attrs) => {
    if (!isPlainNhwc(attrs) || attrs.dimRoundingMode != null || filter.shape[3] !== 1) return undefined;
    const strides = pair(attrs.strides as number | [number, number]);
    const padding = explicitPadding(attrs.pad as 'same' | 'valid' | number, x.shape, filter.shape, dy.shape, strides);
    if (padding[0] >= filter.shape[0] || padding[2] >= filter.shape[1]) return undefined;
    return {
      x: () => depthwiseInputGradient(dy, filter, x.shape, padding, strides),
      filter: () => depthwiseFilterGradient(x, dy, filter.shape, padding, strides),
    };
  });
}

/** dW [kh, kw, C, 1]: for every tap, Σ_{n,i,j} x_padded[n, sh·i + r, sw·j + q, c]·dy[n, i, j, c]. */
export function depthwiseFilterGradient(
  x: tf.Tensor4D,
  dy: tf.Tensor4D,
  filterShape: readonly number[],
  [top, bottom, left, right]: readonly [number, number, number, number],
  strides: readonly [number, number],
): tf.Tensor4D {
  return tf.tidy(() => {
    const [kh, kw, channels] = filterShape;
    const [, height, width] = x.shape;
    const [, outH, outW] = dy.shape;
    const extentH = tapExtent(height + top + bottom, kh, strides[0], outH);
    const extentW = tapExtent(width + left + right, kw, strides[1], outW);
    const padded = padToExtent(x, top, left, extentH, extentW);
    const taps: tf.Tensor[] = [];
    for (let r = 0; r < kh; r++) {
      for (let q = 0; q < kw; q++) taps.push(tf.sum(tf.mul(tapView(padded, r, q, outH, outW, strides), dy), [0, 1, 2]));
    }
    return tf.reshape(tf.stack(taps), [kh, kw, channels, 1]);
  });
}

/** dx [N, H, W, C]: the transposed depthwise correlation, as one stride-1 depthwise conv with the flipped filter. */
export function depthwiseInputGradient(
  dy: tf.Tensor4D,
  filter: tf.Tensor4D,
  inputShape: readonly number[],
  [top, , left]: readonly [number, number, number, number],
  strides: readonly [number, number],
): tf.Tensor4D {
  return tf.tidy(() => {
    const [kh, kw] = filter.shape;
    const [, height, width] = inputShape;
    const dilated = dilate(dy, strides);
    const [, dilatedH, dilatedW] = dilated.shape;
    // dx[y] = Σ_u W_flipped[u]·D[y + u] with D = dy_dilated shifted down by kh − 1 − top and long enough for H outputs.
    const before: [number, number] = [kh - 1 - top, kw - 1 - left];
    const shifted = padOrCrop(
      dilated,
      [before[0], height + kh - 1 - before[0] - dilatedH],
      [before[1], width + kw - 1 - before[1] - dilatedW],
    );
    const flipped = tf.reverse(filter, [0, 1]) as tf.Tensor4D;
    return tf.depthwiseConv2d(shifted, flipped, 1, 'valid');
  });
}
