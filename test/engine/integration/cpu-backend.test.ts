import * as tf from '@tensorflow/tfjs';
import { beforeAll, describe, expect, it } from 'vitest';
import { buildTrainee, maxAbsDiff, prepareEngine, randomBatches, randomMask, trainStep } from './harness.js';

const INPUT = { height: 8, width: 8, channels: 1 };

describe('sparse kernels on the tfjs cpu backend', () => {
  beforeAll(() => prepareEngine('cpu'));

  it('should train the CNN like the masked-dense engine, since the kernels do not depend on the tfjs backend', async () => {
    // Prepare
    const conv2 = randomMask(64 * 32 * 9, 0.2, 31);
    const masks = new Map([
      ['conv2', conv2],
      ['fc1', randomMask(128 * 64 * 4, 0.1, 32)],
    ]);
    const reference = await buildTrainee({ model: 'cnn', input: INPUT, masks, scheme: 'irregular', kernels: false });
    const sut = await buildTrainee({ model: 'cnn', input: INPUT, masks, scheme: 'irregular', kernels: true });

    // Execute
    const losses = randomBatches(3, 4, INPUT, 33).map((batch) => [trainStep(reference, batch, INPUT), trainStep(sut, batch, INPUT)]);

    // Assert
    expect(tf.getBackend()).toBe('cpu');
    for (const [expected, actual] of losses) expect(Math.abs(actual - expected)).toBeLessThan(1e-5);
    sut.model.maskedWeights.forEach((layer, i) => {
      expect(maxAbsDiff(layer.readWeights(), reference.model.maskedWeights[i].readWeights())).toBeLessThan(1e-5);
    });
    reference.dispose();
    sut.dispose();
  });
});
