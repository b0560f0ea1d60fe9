import { afterEach, beforeAll, describe, expect, it } from 'vitest';
import { measureModelState } from '../../../client/src/engine/models/memory.js';
import { buildTrainee, prepareEngine, randomBatches, randomMask, trainStep, type Trainee } from './harness.js';

const INPUT = { height: 28, width: 28, channels: 1 };

describe(measureModelState.name, () => {
  const trainees: Trainee[] = [];

  beforeAll(() => prepareEngine());

  afterEach(() => {
    for (const trainee of trainees.splice(0)) trainee.dispose();
  });

  async function mlpAtDensity(density: number, kernels: boolean) {
    const masks = new Map([
      ['fc1', randomMask(300 * 784, density, 21)],
      ['fc2', randomMask(100 * 300, density, 22)],
      ['fc3', randomMask(10 * 100, density, 23)],
    ]);
    const trainee = await buildTrainee({ model: 'mlp', input: INPUT, masks, scheme: 'irregular', kernels });
    trainees.push(trainee);
    trainStep(trainee, randomBatches(1, 4, INPUT, 24)[0], INPUT);
    return measureModelState(trainee.model, { slotsPerValue: 1 });
  }

  it('should measure the compressed MLP at density 0.1 below 30 % of its dense model state', async () => {
    // Execute
    const sparse = await mlpAtDensity(0.1, true);

    // Assert
    expect(sparse.layers.map((layer) => layer.storage)).toEqual(['compressed', 'compressed', 'compressed']);
    expect(sparse.ratio).toBeLessThan(0.3);
    expect(sparse.totalBytes).toBe(sparse.weightBytes + sparse.gradientBytes + sparse.optimizerBytes + sparse.indexBytes);
    expect(sparse.kernelHeapBytes).toBeGreaterThan(0);
    const fc1 = sparse.layers[0];
    expect(fc1.active).toBeGreaterThan(0.08 * fc1.total);
    expect(fc1.active).toBeLessThan(0.12 * fc1.total);
    // Values variable + kernel mirror, gradient and one momentum slot: 4 bytes per active weight each.
    expect(fc1.weightBytes).toBe(8 * fc1.active);
    expect(fc1.gradientBytes).toBe(4 * fc1.active);
    expect(fc1.optimizerBytes).toBe(4 * fc1.active);
    expect(fc1.indexBytes).toBeGreaterThan(4 * fc1.active);
  });

  it('should measure masked-dense storage above the dense model state, since it also holds the masks', async () => {
    // Execute
    const masked = await mlpAtDensity(0.1, false);
    const sparse = await mlpAtDensity(0.1, true);

    // Assert
    expect(masked.layers.map((layer) => layer.storage)).toEqual(['dense', 'dense', 'dense']);
    expect(masked.ratio).toBeGreaterThan(1);
    expect(masked.denseTotalBytes).toBe(sparse.denseTotalBytes);
    expect(masked.kernelHeapBytes).toBe(0);
  });
});
