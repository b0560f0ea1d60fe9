// Conv2D gradient that trains on every backend. tfjs-backend-wasm 4.22 has no Conv2DBackpropFilter kernel (and its
// Conv2DBackpropInput is ~9x slower than a forward conv), so the gradient is re-registered in terms of forward
// convolutions, which every backend runs fast:
//   dW: correlate the (padded) input with dy, treating input channels as the batch and the batch as channels;
//       the strides of the forward conv become dilations of this correlation.
//   dx: for stride 1, a 'full' correlation of dy with the spatially flipped kernel (in/out swapped);
//       for larger strides, the stock Conv2DBackpropInput.
// Only NHWC with dilation 1 is rewritten; anything else keeps the stock gradient.
import * as tf from '@tensorflow/tfjs';
import { isPlainNhwc, overrideConvGradient, type ConvAttrs } from './conv-gradient-override.js';

export function registerConv2dGradient(): void {
  overrideConvGradient('Conv2D', (dy, x, filter, attrs, stock) => {
    if (!isPlainNhwc(attrs)) return undefined;
    const strides = pair(attrs.strides as number | [number, number]);
    const padding = explicitPadding(attrs.pad, x.shape, filter.shape, dy.shape, strides);
    return {
      x: () => (canFlip(strides, padding, filter.shape) ? inputGradient(dy, filter, padding) : stock().x()),
      filter: () => filterGradient(x, dy, filter.shape, padding, strides),
    };
  });
}

/** The flipped-kernel dx needs stride 1 and forward padding no wider than the kernel. */
function canFlip(strides: [number, number], padding: readonly number[], filterShape: readonly number[]): boolean {
  const [kh, kw] = filterShape;
  const [top, bottom, left, right] = padding;
  return strides[0] === 1 && strides[1] === 1 && Math.max(top, bottom) < kh && Math.max(left, right) < kw;
}

export function pair(value: number | readonly number[]): [number, number] {
  return typeof value === 'number' ? [value, value] : [value[0], value[1]];
}

/** [top, bottom, left, right] padding of the forward conv, computed as TensorFlow does for 'same'. */
export function explicitPadding(
  pad: ConvAttrs['pad'],
  xShape: readonly number[],
  filterShape: readonly number[],
  dyShape: readonly number[],
  [sh, sw]: [number, number],
): [number, number, number, number] {
  if (typeof pad === 'number') return [pad, pad, pad, pad];
  if (pad === 'valid') return [0, 0, 0, 0];
  const [, height, width] = xShape;
  const [kh, kw] = filterShape;
  const [, outHeight, outWidth] = dyShape;
  const padH = Math.max((outHeight - 1) * sh + kh - height, 0);
  const padW = Math.max((outWidth - 1) * sw + kw - width, 0);
  return [padH >> 1, padH - (padH >> 1), padW >> 1, padW - (padW >> 1)];
}

function filterGradient(
  x: tf.Tensor4D,
  dy: tf.Tensor4D,
  filterShape: readonly number[],
  [top, bottom, left, right]: [number, number, number, number],
  strides: [number, number],
): tf.Tensor4D {
  return tf.tidy(() => {
    const [kh, kw] = filterShape;
    const padded = top + bottom + left + right === 0 ? x : tf.pad(x, [[0, 0], [top, bottom], [left, right], [0, 0]]);
    const channelsAsBatch = tf.transpose(padded, [3, 1, 2, 0]); // [Cin, H, W, N]
    const dyAsFilter = tf.transpose(dy, [1, 2, 0, 3]); // [Ho, Wo, N, Cout]
    const correlation = tf.conv2d(channelsAsBatch, dyAsFilter, 1, 'valid', 'NHWC', strides); // [Cin, >=kh, >=kw, Cout]
    const cropped = tf.slice(correlation, [0, 0, 0, 0], [-1, kh, kw, -1]);
    return tf.transpose(cropped, [1, 2, 0, 3]); // [kh, kw, Cin, Cout]
  });
}

function inputGradient(
  dy: tf.Tensor4D,
  filter: tf.Tensor4D,
  [top, bottom, left, right]: [number, number, number, number],
): tf.Tensor4D {
  return tf.tidy(() => {
    const [kh, kw] = filter.shape;
    const flipped = tf.transpose(tf.reverse(filter, [0, 1]), [0, 1, 3, 2]); // [kh, kw, Cout, Cin]
    const padding: [number, number][] = [
      [0, 0],
      [kh - 1 - top, kh - 1 - bottom],
      [kw - 1 - left, kw - 1 - right],
      [0, 0],
    ];
    const padded = padding.every(([a, b]) => a === 0 && b === 0) ? dy : tf.pad(dy, padding);
    return tf.conv2d(padded, flipped, 1, 'valid');
  });
}
