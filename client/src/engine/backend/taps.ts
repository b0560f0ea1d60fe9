// Window taps of a strided 2-D window op (convolution, pooling) on NHWC tensors, from ops that every tfjs backend
// runs fast (pad, slice, reshape: 4-D only, a 6-D formulation is very slow on wasm). A window op with a kh×kw window
// and strides (sh, sw) over an input padded to `extent` reads, for output (i, j) and tap (r, q), the padded input at
// (sh·i + r, sw·j + q). `tapView` gathers that for one tap over every output position; `tapScatter` is its adjoint.
import * as tf from '@tensorflow/tfjs';

/** Padded size along one axis that holds every tap's strided view: at least the real padded size. */
export function tapExtent(padded: number, kernel: number, stride: number, outputs: number): number {
  return Math.max(padded, kernel - 1 + stride * outputs);
}

/**
 * x padded to [N, extentH, extentW, C] with `top`/`left` rows and columns in front (value `fill`), the rest at the
 * back. `extentH` ≥ H + top (and likewise for the width).
 */
export function padToExtent(x: tf.Tensor4D, top: number, left: number, extentH: number, extentW: number, fill = 0): tf.Tensor4D {
  const [, height, width] = x.shape;
  const bottom = extentH - height - top;
  const right = extentW - width - left;
  if (bottom < 0 || right < 0) throw new RangeError(`extent ${extentH}x${extentW} is smaller than the padded input`);
  if (top === 0 && left === 0 && bottom === 0 && right === 0) return x;
  return tf.pad(x, [[0, 0], [top, bottom], [left, right], [0, 0]], fill);
}

/** [N, outH, outW, C]: element (i, j) is padded[sh·i + r, sw·j + q]. `padded` extends to tapExtent on both axes. */
export function tapView(padded: tf.Tensor4D, r: number, q: number, outH: number, outW: number, [sh, sw]: readonly [number, number]): tf.Tensor4D {
  const [batch, , , channels] = padded.shape;
  const block = tf.slice(padded, [0, r, q, 0], [batch, sh * outH, sw * outW, channels]);
  if (sh === 1 && sw === 1) return block;
  // Row sh·i + a and column sw·j + b: split rows into (i, a) and fold (b, c) into the last axis; keep a = 0, b = 0.
  const grouped = tf.reshape(block, [batch * outH, sh, outW, sw * channels]);
  const picked = tf.slice(grouped, [0, 0, 0, 0], [batch * outH, 1, outW, channels]);
  return tf.reshape(picked, [batch, outH, outW, channels]);
}

/** The adjoint of tapView: t [N, outH, outW, C] placed at (sh·i + r, sw·j + q) of a zero [N, extentH, extentW, C]. */
export function tapScatter(
  t: tf.Tensor4D,
  r: number,
  q: number,
  extentH: number,
  extentW: number,
  strides: readonly [number, number],
): tf.Tensor4D {
  const [, outH, outW] = t.shape;
  const dilated = dilate(t, strides);
  const [sh, sw] = strides;
  return tf.pad(dilated, [
    [0, 0],
    [r, extentH - r - sh * outH],
    [q, extentW - q - sw * outW],
    [0, 0],
  ]);
}

/** [N, sh·H, sw·W, C] with t[i, j] at (sh·i, sw·j) and zeros elsewhere. */
export function dilate(t: tf.Tensor4D, [sh, sw]: readonly [number, number]): tf.Tensor4D {
  if (sh === 1 && sw === 1) return t;
  const [batch, height, width, channels] = t.shape;
  const grouped = tf.reshape(t, [batch * height, 1, width, channels]);
  const spread = tf.pad(grouped, [[0, 0], [0, sh - 1], [0, 0], [0, (sw - 1) * channels]]);
  return tf.reshape(spread, [batch, sh * height, sw * width, channels]);
}

/** Pads (positive) or crops (negative) `before`/`after` rows and columns. */
export function padOrCrop(x: tf.Tensor4D, [top, bottom]: readonly [number, number], [left, right]: readonly [number, number]): tf.Tensor4D {
  const [batch, height, width, channels] = x.shape;
  const cropped =
    Math.min(top, bottom, left, right) < 0
      ? tf.slice(x, [0, Math.max(0, -top), Math.max(0, -left), 0], [
          batch,
          height - Math.max(0, -top) - Math.max(0, -bottom),
          width - Math.max(0, -left) - Math.max(0, -right),
          channels,
        ])
      : x;
  const pads = [Math.max(0, top), Math.max(0, bottom), Math.max(0, left), Math.max(0, right)];
  if (pads.every((p) => p === 0)) return cropped;
  return tf.pad(cropped, [[0, 0], [pads[0], pads[1]], [pads[2], pads[3]], [0, 0]]);
}

/**
 * x[:, ::sh, ::sw, :]: rows 0, sh, 2sh, … and likewise columns, i.e. exactly what a 1×1 conv of stride s without
 * padding reads (PyTorch padding 0, or TensorFlow 'same', which pads a 1×1 window by nothing), ⌈H/sh⌉ × ⌈W/sw⌉.
 * Differentiable through pad/slice/reshape, so a strided 1×1 conv runs as subsample + a stride-1 1×1 conv.
 */
export function subsample(x: tf.Tensor4D, strides: readonly [number, number]): tf.Tensor4D {
  const [sh, sw] = strides;
  if (sh === 1 && sw === 1) return x;
  const [, height, width] = x.shape;
  const outH = Math.ceil(height / sh);
  const outW = Math.ceil(width / sw);
  return tapView(padToExtent(x, 0, 0, sh * outH, sw * outW), 0, 0, outH, outW, strides);
}
