// Re-registering a convolution's gradient (Conv2D, DepthwiseConv2dNative) in terms of ops every backend runs, while
// keeping tfjs's stock gradient for the attribute combinations a rewrite does not cover. Shared by conv-gradient.ts
// and depthwise-gradient.ts.
import * as tf from '@tensorflow/tfjs';

/** The attributes both convolutions share, as tfjs hands them to a gradient. */
export interface ConvAttrs {
  strides: number | [number, number];
  pad: 'valid' | 'same' | number | readonly number[] | unknown;
  dataFormat?: string;
  dilations?: number | [number, number] | null;
  dimRoundingMode?: string | null;
}

export type ConvGrads = Record<string, () => tf.Tensor>;

/**
 * The replacement gradient for one call, or undefined to use the stock one (`stock` computes it, for a rewrite that
 * replaces only some of the gradients).
 */
export type ConvGradientRewrite = (
  dy: tf.Tensor4D,
  x: tf.Tensor4D,
  filter: tf.Tensor4D,
  attrs: ConvAttrs,
  stock: () => ConvGrads,
) => ConvGrads | undefined;

type GradFunc = (dy: tf.Tensor, saved: tf.Tensor[], attrs: tf.NamedAttrMap) => ConvGrads;

const overridden = new Set<string>();

/** Registers `rewrite` as the gradient of `kernelName` (inputs x and filter), once per process. */
export function overrideConvGradient(kernelName: string, rewrite: ConvGradientRewrite): void {
  if (overridden.has(kernelName)) return;
  const stock = tf.getGradient(kernelName);
  if (stock === undefined) throw new Error(`tfjs has no ${kernelName} gradient to replace`);
  const stockGradFunc = stock.gradFunc as unknown as GradFunc;
  tf.registerGradient({
    kernelName,
    inputsToSave: ['x', 'filter'],
    gradFunc: ((dy: tf.Tensor, saved: tf.Tensor[], attrs: tf.NamedAttrMap) => {
      const [x, filter] = saved as [tf.Tensor4D, tf.Tensor4D];
      const stockGrads = () => stockGradFunc(dy, saved, attrs);
      return rewrite(dy as tf.Tensor4D, x, filter, attrs as unknown as ConvAttrs, stockGrads) ?? stockGrads();
    }) as unknown as tf.GradFunc,
  });
  overridden.add(kernelName);
}

/** NHWC, dilation 1 and 'same' / 'valid' / numeric padding: what the rewrites handle. */
export function isPlainNhwc(attrs: ConvAttrs): boolean {
  const [dh, dw] = typeof attrs.dilations === 'number' ? [attrs.dilations, attrs.dilations] : (attrs.dilations ?? [1, 1]);
  const format = attrs.dataFormat ?? 'NHWC';
  const padOk = attrs.pad === 'same' || attrs.pad === 'valid' || typeof attrs.pad === 'number';
  return (format === 'NHWC' || format === 'channelsLast') && dh === 1 && dw === 1 && padOk;
}
