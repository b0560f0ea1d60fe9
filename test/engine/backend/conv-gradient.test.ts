import * as tf from '@tensorflow/tfjs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { initBackend } from '../../../client/src/engine/backend/init.js';
import { createRng } from '../../../client/src/engine/util/rng.js';

interface Case {
  readonly input: [number, number, number, number];
  readonly kernel: number;
  readonly outChannels: number;
  readonly stride: number;
  readonly pad: 'same' | 'valid';
}

const CASES: Case[] = [
  { input: [2, 6, 6, 3], kernel: 3, outChannels: 4, stride: 1, pad: 'same' },
  { input: [2, 7, 7, 3], kernel: 3, outChannels: 4, stride: 2, pad: 'same' },
  { input: [2, 8, 8, 4], kernel: 1, outChannels: 5, stride: 2, pad: 'same' },
  { input: [3, 6, 5, 2], kernel: 3, outChannels: 3, stride: 1, pad: 'valid' },
  { input: [2, 8, 8, 2], kernel: 3, outChannels: 3, stride: 2, pad: 'valid' },
];

function randomValues(size: number, seed: number): Float32Array {
  const rng = createRng(seed);
  return Float32Array.from({ length: size }, () => rng.normal());
}

/** dx and dW of sum(conv2d(x, w) ⊙ dy) by the stock backprop kernels on the cpu backend. */
async function cpuReference(c: Case, x: Float32Array, w: Float32Array, dy: Float32Array, dyShape: number[]) {
  await tf.setBackend('cpu');
  const filterShape = [c.kernel, c.kernel, c.input[3], c.outChannels];
  const attrs = { strides: [c.stride, c.stride], pad: c.pad, dataFormat: 'NHWC' };
  const [dxRef, dwRef] = tf.tidy(() => {
    const xt = tf.tensor4d(x, c.input);
    const wt = tf.tensor4d(w, filterShape as [number, number, number, number]);
    const dyt = tf.tensor4d(dy, dyShape as [number, number, number, number]);
    const dw = tf.engine().runKernel('Conv2DBackpropFilter', { x: xt, dy: dyt }, { ...attrs, filterShape } as unknown as tf.NamedAttrMap) as tf.Tensor;
    const dx = tf.engine().runKernel('Conv2DBackpropInput', { dy: dyt, filter: wt }, { ...attrs, inputShape: c.input } as unknown as tf.NamedAttrMap) as tf.Tensor;
    return [dx.dataSync().slice(), dw.dataSync().slice()];
  });
  await tf.setBackend('wasm');
  return { dxRef, dwRef };
}

function maxRelativeDifference(actual: ArrayLike<number>, expected: ArrayLike<number>): number {
  let scale = 1e-6;
  for (let i = 0; i < expected.length; i++) scale = Math.max(scale, Math.abs(expected[i]));
  let worst = 0;
  for (let i = 0; i < expected.length; i++) worst = Math.max(worst, Math.abs(actual[i] - expected[i]) / scale);
  return worst;
}

describe('registerConv2dGradient', () => {
  beforeAll(async () => {
    await initBackend('wasm');
  });
  afterAll(async () => {
    await initBackend('wasm');
  });

  it.each(CASES)('should match the cpu backprop kernels on wasm (%o)', async (c) => {
    // Prepare
    const filterShape: [number, number, number, number] = [c.kernel, c.kernel, c.input[3], c.outChannels];
    const x = randomValues(c.input.reduce((a, b) => a * b), 1);
    const w = randomValues(filterShape.reduce((a, b) => a * b), 2);
    const outShape = tf.tidy(() => tf.conv2d(tf.zeros(c.input) as tf.Tensor4D, tf.zeros(filterShape) as tf.Tensor4D, c.stride, c.pad).shape);
    const dy = randomValues(outShape.reduce((a, b) => a * b), 3);

    // Execute
    const [dx, dw] = tf.tidy(() => {
      const dyt = tf.tensor4d(dy, outShape);
      const grads = tf.grads((xi: tf.Tensor, wi: tf.Tensor) =>
        tf.sum(tf.mul(tf.conv2d(xi as tf.Tensor4D, wi as tf.Tensor4D, c.stride, c.pad), dyt)),
      )([tf.tensor4d(x, c.input), tf.tensor4d(w, filterShape)]);
      return grads.map((g) => g.dataSync().slice());
    });
    const { dxRef, dwRef } = await cpuReference(c, x, w, dy, outShape);

    // Assert
    expect(tf.getBackend()).toBe('wasm');
    expect(maxRelativeDifference(dw, dwRef)).toBeLessThan(1e-4);
    expect(maxRelativeDifference(dx, dxRef)).toBeLessThan(1e-4);
  });
});
