import * as tf from '@tensorflow/tfjs';
import { afterAll, describe, expect, it } from 'vitest';
import { initBackend } from '../../../client/src/engine/backend/init.js';
import { tensorFromKernel, transientValues } from '../../../client/src/engine/models/kernel-compute/tensor-values.js';
import { freshRuntime, prepareEngine } from './harness.js';

describe.each(['wasm', 'cpu'] as const)('tensor values between tfjs and kernel memory (%s backend)', (backend) => {
  afterAll(() => initBackend('wasm'));

  it('should read a tensor the same as dataSync', async () => {
    // Prepare
    await prepareEngine(backend);
    const values = Float32Array.from({ length: 37 }, (_, i) => i * 0.25 - 3);
    const tensor = tf.tensor(values, [37]);

    // Execute
    const read = Array.from(transientValues(tensor));

    // Assert
    expect(read).toEqual(Array.from(values));
    tensor.dispose();
  });

  it('should reject a tensor that is not float32', async () => {
    await prepareEngine(backend);
    const tensor = tf.tensor([1, 2], [2], 'int32');
    expect(() => transientValues(tensor)).toThrow(/float32/);
    tensor.dispose();
  });

  it('should make a tensor that keeps its values when kernel memory is overwritten', async () => {
    // Prepare
    await prepareEngine(backend);
    const rt = await freshRuntime();
    const values = Float32Array.from({ length: 12 }, (_, i) => i + 0.5);
    const buffer = rt.uploadF32(values);
    const before = tf.memory().numTensors;

    // Execute
    const tensor = tensorFromKernel(rt, buffer, [3, 4]);
    rt.f32(buffer).fill(-1);

    // Assert
    expect(tensor.shape).toEqual([3, 4]);
    expect(tf.memory().numTensors).toBe(before + 1);
    expect(Array.from(tensor.dataSync())).toEqual(Array.from(values));
    expect(tf.getBackend()).toBe(backend);
    tensor.dispose();
    expect(tf.memory().numTensors).toBe(before);
  });

  it('should refuse a shape that does not hold the buffer', async () => {
    await prepareEngine(backend);
    const rt = await freshRuntime();
    expect(() => tensorFromKernel(rt, rt.allocF32(5), [2, 3])).toThrow(RangeError);
  });
});
