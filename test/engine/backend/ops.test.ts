import * as tf from '@tensorflow/tfjs';
import { beforeAll, describe, expect, it } from 'vitest';
import { batchNormTraining } from '../../../client/src/engine/backend/batch-norm.js';
import { initBackend } from '../../../client/src/engine/backend/init.js';
import { linearMatMul } from '../../../client/src/engine/backend/linear-matmul.js';
import { maxPool2x2 } from '../../../client/src/engine/backend/max-pool.js';

function close(actual: tf.Tensor, expected: tf.Tensor, tolerance = 1e-4): void {
  const a = actual.dataSync();
  const e = expected.dataSync();
  expect(a.length).toBe(e.length);
  for (let i = 0; i < e.length; i++) expect(Math.abs(a[i] - e[i])).toBeLessThan(tolerance * Math.max(1, Math.abs(e[i])));
}

describe('custom-gradient ops', () => {
  beforeAll(async () => {
    await initBackend('wasm');
  });

  it('should give linearMatMul the same value and gradients as tf.matMul', () => {
    tf.tidy(() => {
      // Prepare
      const x = tf.randomNormal([5, 7], 0, 1, 'float32', 1);
      const w = tf.randomNormal([7, 3], 0, 1, 'float32', 2);
      const dy = tf.randomNormal([5, 3], 0, 1, 'float32', 3);
      const loss = (f: (a: tf.Tensor2D, b: tf.Tensor2D) => tf.Tensor) => (a: tf.Tensor, b: tf.Tensor) =>
        tf.sum(tf.mul(f(a as tf.Tensor2D, b as tf.Tensor2D), dy));

      // Execute
      const [dx, dw] = tf.grads(loss(linearMatMul))([x, w]);
      const [dxRef, dwRef] = tf.grads(loss((a, b) => tf.matMul(a, b)))([x, w]);
      const [dxSkipped] = tf.grads(loss((a, b) => linearMatMul(a, b, false)))([x, w]);

      // Assert
      close(linearMatMul(x as tf.Tensor2D, w as tf.Tensor2D), tf.matMul(x, w));
      close(dx, dxRef);
      close(dw, dwRef);
      expect(tf.max(tf.abs(dxSkipped)).dataSync()[0]).toBe(0);
    });
  });

  it('should route the max-pool gradient to the window maxima like the cpu backend, odd sizes included', async () => {
    // Prepare: negative maxima matter (tfjs-wasm's own MaxPoolGrad loses them)
    const gradients = (f: (a: tf.Tensor4D) => tf.Tensor) =>
      tf.tidy(() => {
        const x = tf.randomNormal([2, 5, 6, 3], -1, 1, 'float32', 4) as tf.Tensor4D;
        const dy = tf.randomNormal([2, 2, 3, 3], 0, 1, 'float32', 5);
        return tf.grad((a: tf.Tensor) => tf.sum(tf.mul(f(a as tf.Tensor4D), dy)))(x).dataSync().slice();
      });

    // Execute
    const custom = gradients(maxPool2x2);
    await initBackend('cpu');
    const reference = gradients((a) => tf.maxPool(a, 2, 2, 'valid'));
    await initBackend('wasm');

    // Assert
    tf.tidy(() => close(tf.tensor(custom), tf.tensor(reference)));
    expect(custom.filter((v) => v !== 0).length).toBe(2 * 2 * 3 * 3);
  });

  it('should send the gradient of a tied window to its first maximum only, as PyTorch does', () => {
    tf.tidy(() => {
      // Prepare: one 2x2 window whose four values tie, one whose last two tie
      const layout = tf.tensor4d([[[[3], [3], [1], [2]], [[3], [3], [5], [5]]]]);

      // Execute
      const dx = tf.grad((a: tf.Tensor) => tf.sum(maxPool2x2(a as tf.Tensor4D)))(layout);

      // Assert: row-major first maximum of each window
      expect(Array.from(dx.dataSync())).toEqual([1, 0, 0, 0, 0, 0, 1, 0]);
    });
  });

  it('should give batchNormTraining the gradients of the textbook formula', () => {
    tf.tidy(() => {
      // Prepare
      const x = tf.randomNormal([4, 3, 3, 5], 2, 3, 'float32', 6);
      const gamma = tf.randomNormal([5], 1, 0.2, 'float32', 7) as tf.Tensor1D;
      const beta = tf.randomNormal([5], 0, 0.2, 'float32', 8) as tf.Tensor1D;
      const dy = tf.randomNormal([4, 3, 3, 5], 0, 1, 'float32', 9);
      const reference = (a: tf.Tensor, g: tf.Tensor, b: tf.Tensor) => {
        const { mean, variance } = tf.moments(a, [0, 1, 2]);
        return tf.add(tf.mul(tf.div(tf.sub(a, mean), tf.sqrt(tf.add(variance, 1e-5))), g), b);
      };

      // Execute
      const custom = tf.grads((a: tf.Tensor, g: tf.Tensor, b: tf.Tensor) =>
        tf.sum(tf.mul(batchNormTraining(a, g as tf.Tensor1D, b as tf.Tensor1D, 1e-5).y, dy)),
      )([x, gamma, beta]);
      const expected = tf.grads((a: tf.Tensor, g: tf.Tensor, b: tf.Tensor) => tf.sum(tf.mul(reference(a, g, b), dy)))([
        x,
        gamma,
        beta,
      ]);
      const result = batchNormTraining(x, gamma, beta, 1e-5);

      // Assert
      close(result.y, reference(x, gamma, beta));
      close(result.mean, tf.moments(x, [0, 1, 2]).mean);
      close(result.variance, tf.moments(x, [0, 1, 2]).variance);
      custom.forEach((gradient, i) => close(gradient, expected[i], 1e-3));
    });
  });
});
