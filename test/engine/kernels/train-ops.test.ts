import * as tf from '@tensorflow/tfjs';
import { beforeAll, describe, expect, it } from 'vitest';
import type { KernelRuntime } from '../../../client/src/engine/kernels/runtime.js';
import { correctness, crossEntropy } from '../../../client/src/engine/train/loss.js';
import { loadRuntime, maxRelError, randomArray, rng } from './helpers.js';

/** The tfjs loss, its gradient by autodiff and the correctness of [batch, classes] logits. */
function tfjsReference(logits: Float32Array, labels: Int32Array, batch: number, classes: number) {
  return tf.tidy(() => {
    const x = tf.tensor2d(logits, [batch, classes]);
    const y = tf.tensor1d(labels, 'int32');
    const { value, grad } = tf.valueAndGrad((l: tf.Tensor) => crossEntropy(l as tf.Tensor2D, y))(x);
    return { loss: value.dataSync()[0], gradient: grad.dataSync() as Float32Array, correct: correctness(x, y).dataSync() as Int32Array };
  });
}

/** [batch][classes] → [classes][batch] (the kernels' batch-innermost layout) and back. */
function transpose(values: Float32Array, rows: number, cols: number): Float32Array {
  const out = new Float32Array(values.length);
  for (let r = 0; r < rows; r++) for (let c = 0; c < cols; c++) out[c * rows + r] = values[r * cols + c];
  return out;
}

describe('softmax cross-entropy kernel', () => {
  let rt: KernelRuntime;

  beforeAll(async () => {
    await tf.setBackend('cpu');
    rt = await loadRuntime();
  });

  it.each([
    [16, 10, 1],
    [7, 3, 30],
    [128, 10, 80],
  ])('should give the tfjs loss, gradient and correctness for batch %i, %i classes, logits scaled by %i', (batch, classes, scale) => {
    // Prepare
    const r = rng(batch + classes);
    const logits = randomArray(r, batch * classes).map((v) => v * scale);
    const labels = Int32Array.from({ length: batch }, () => Math.floor(r.next() * classes));
    const expected = tfjsReference(logits, labels, batch, classes);

    // Execute
    const actual = rt.scratch(() => {
      const buffer = rt.uploadF32(transpose(logits, batch, classes));
      const labelBuffer = rt.uploadI32(labels);
      const correct = rt.allocI32(batch);
      const loss = rt.raw.softmaxCrossEntropy(classes, batch, buffer.ptr, labelBuffer.ptr, buffer.ptr, correct.ptr);
      return { loss, gradient: transpose(rt.read(buffer), classes, batch), correct: rt.i32(correct).slice() };
    });

    // Assert
    expect(Math.abs(actual.loss - expected.loss)).toBeLessThan(1e-5 * Math.max(1, expected.loss));
    expect(maxRelError(actual.gradient, expected.gradient)).toBeLessThan(1e-5);
    expect(Array.from(actual.correct)).toEqual(Array.from(expected.correct));
  });

  it('should count the first of tied largest logits, as tfjs argMax does', () => {
    // Prepare
    const logits = Float32Array.from([1, 3, 3, 0, 2, 2]); // batch 2 × 3 classes: ties at classes 1/2 and 1/2
    const labels = Int32Array.from([1, 2]);

    // Execute
    const correct = rt.scratch(() => {
      const buffer = rt.uploadF32(transpose(logits, 2, 3));
      const out = rt.allocI32(2);
      rt.raw.softmaxCrossEntropy(3, 2, buffer.ptr, rt.uploadI32(labels).ptr, buffer.ptr, out.ptr);
      return Array.from(rt.i32(out));
    });

    // Assert
    expect(correct).toEqual(Array.from(tfjsReference(logits, labels, 2, 3).correct));
    expect(correct).toEqual([1, 0]);
  });
});
