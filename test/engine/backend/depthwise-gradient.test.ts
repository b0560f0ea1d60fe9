// The depthwise-conv gradient re-registered for wasm (which has no DepthwiseConv2dNativeBackprop* kernels) and the
// strided max-pool of the ImageNet stem, both checked against the cpu backend's stock backprop kernels.
import * as tf from '@tensorflow/tfjs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { initBackend } from '../../../client/src/engine/backend/init.js';
import { maxPool2d } from '../../../client/src/engine/backend/max-pool.js';
import { createRng } from '../../../client/src/engine/util/rng.js';

interface Case {
  readonly input: [number, number, number, number];
  readonly kernel: number;
  readonly stride: number;
  readonly pad: 'same' | 'valid' | number;
}

const CASES: Case[] = [
  { input: [2, 6, 6, 3], kernel: 3, stride: 1, pad: 'same' },
  { input: [2, 7, 7, 4], kernel: 3, stride: 2, pad: 1 },
  { input: [2, 8, 8, 4], kernel: 3, stride: 2, pad: 1 },
  { input: [2, 8, 8, 4], kernel: 3, stride: 2, pad: 'same' },
  { input: [1, 9, 8, 2], kernel: 5, stride: 2, pad: 2 },
  { input: [2, 6, 5, 3], kernel: 3, stride: 1, pad: 'valid' },
  { input: [2, 8, 8, 2], kernel: 3, stride: 2, pad: 'valid' },
];

function randomValues(size: number, seed: number): Float32Array {
  const rng = createRng(seed);
  return Float32Array.from({ length: size }, () => rng.normal());
}

function maxRelativeDifference(actual: ArrayLike<number>, expected: ArrayLike<number>): number {
  let scale = 1e-6;
  for (let i = 0; i < expected.length; i++) scale = Math.max(scale, Math.abs(expected[i]));
  let worst = 0;
  for (let i = 0; i < expected.length; i++) worst = Math.max(worst, Math.abs(actual[i] - expected[i]) / scale);
  return worst;
}

/** dx and dW by the cpu backend's stock DepthwiseConv2dNativeBackprop{Input,Filter} kernels. */
async function cpuReference(c: Case, x: Float32Array, w: Float32Array, dy: Float32Array, dyShape: number[]) {
  await tf.setBackend('cpu');
  const filterShape = [c.kernel, c.kernel, c.input[3], 1];
  const attrs = { strides: [c.stride, c.stride], pad: c.pad, dilations: [1, 1] };
  const result = tf.tidy(() => {
    const xt = tf.tensor4d(x, c.input);
    const wt = tf.tensor(w, filterShape);
    const dyt = tf.tensor(dy, dyShape);
    const dw = tf.engine().runKernel('DepthwiseConv2dNativeBackpropFilter', { x: xt, dy: dyt }, { ...attrs, filterShape } as unknown as tf.NamedAttrMap) as tf.Tensor;
    const dx = tf.engine().runKernel('DepthwiseConv2dNativeBackpropInput', { dy: dyt, filter: wt }, { ...attrs, inputShape: c.input } as unknown as tf.NamedAttrMap) as tf.Tensor;
    return { dxRef: dx.dataSync().slice(), dwRef: dw.dataSync().slice() };
  });
  await tf.setBackend('wasm');
  return result;
}

describe('registerDepthwiseConv2dGradient', () => {
  beforeAll(async () => {
    await initBackend('wasm');
  });
  afterAll(async () => {
    await initBackend('wasm');
  });

  it.each(CASES)('should match the cpu backprop kernels on wasm (%o)', async (c) => {
    // Prepare
    const filterShape: [number, number, number, number] = [c.kernel, c.kernel, c.input[3], 1];
    const x = randomValues(c.input.reduce((a, b) => a * b), 1);
    const w = randomValues(filterShape.reduce((a, b) => a * b), 2);
    const outShape = tf.tidy(() => tf.depthwiseConv2d(tf.zeros(c.input) as tf.Tensor4D, tf.zeros(filterShape) as tf.Tensor4D, c.stride, c.pad).shape);
    const dy = randomValues(outShape.reduce((a, b) => a * b), 3);

    // Execute
    const [dx, dw] = tf.tidy(() => {
      const dyt = tf.tensor4d(dy, outShape);
      const grads = tf.grads((xi: tf.Tensor, wi: tf.Tensor) =>
        tf.sum(tf.mul(tf.depthwiseConv2d(xi as tf.Tensor4D, wi as tf.Tensor4D, c.stride, c.pad), dyt)),
      )([tf.tensor4d(x, c.input), tf.tensor4d(w, filterShape)]);
      return grads.map((g) => g.dataSync().slice());
    });
    const { dxRef, dwRef } = await cpuReference(c, x, w, dy, outShape);

    // Assert
    expect(tf.getBackend()).toBe('wasm');
    expect(dw.length).toBe(dwRef.length);
    expect(dx.length).toBe(dxRef.length);
    expect(maxRelativeDifference(dw, dwRef)).toBeLessThan(1e-4);
    expect(maxRelativeDifference(dx, dxRef)).toBeLessThan(1e-4);
  });
});

describe(maxPool2d.name, () => {
  beforeAll(async () => {
    await initBackend('wasm');
  });

  it.each([
    { input: [2, 8, 8, 3], kernel: 3, stride: 2, padding: 1 },
    { input: [1, 7, 9, 2], kernel: 3, stride: 2, padding: 1 },
    { input: [2, 6, 6, 2], kernel: 3, stride: 1, padding: 1 },
  ] as const)('should match the cpu pool and its gradient, negative maxima and ties included (%o)', async (c) => {
    // Prepare: integer-valued inputs make ties inside windows; the values are mostly negative.
    const size = c.input.reduce((a: number, b: number) => a * b, 1);
    const rng = createRng(7);
    const x = Float32Array.from({ length: size }, () => Math.floor(rng.next() * 4) - 3);
    const run = (pool: (t: tf.Tensor4D) => tf.Tensor4D) =>
      tf.tidy(() => {
        const xt = tf.tensor4d(x, [...c.input]);
        const y = pool(xt);
        const dy = tf.tensor(randomValues(y.size, 9), y.shape);
        const dx = tf.grad((a: tf.Tensor) => tf.sum(tf.mul(pool(a as tf.Tensor4D), dy)))(xt);
        return { y: y.dataSync().slice(), dx: dx.dataSync().slice() };
      });

    // Execute
    const custom = run((t) => maxPool2d(t, c.kernel, c.stride, c.padding));
    await initBackend('cpu');
    const reference = run((t) => tf.maxPool(t, c.kernel, c.stride, c.padding));
    await initBackend('wasm');

    // Assert
    expect(Array.from(custom.y)).toEqual(Array.from(reference.y));
    expect(maxRelativeDifference(custom.dx, reference.dx)).toBeLessThan(1e-5);
  });
});
