import { describe, expect, it } from 'vitest';
import { loadDatasets, syntheticDataset } from '../../../client/src/engine/data/index.js';

const shape = { height: 6, width: 6, channels: 1 };

describe(syntheticDataset.name, () => {
  it('should be deterministic for a seed', () => {
    const a = syntheticDataset({ inputShape: shape, numClasses: 3, size: 20, seed: 7 });
    const b = syntheticDataset({ inputShape: shape, numClasses: 3, size: 20, seed: 7 });
    const c = syntheticDataset({ inputShape: shape, numClasses: 3, size: 20, seed: 8 });

    expect(Array.from(a.images)).toEqual(Array.from(b.images));
    expect(Array.from(a.labels)).toEqual(Array.from(b.labels));
    expect(Array.from(a.images)).not.toEqual(Array.from(c.images));
    expect(a.synthetic).toBe(true);
    expect(a.name).toBe('synthetic');
  });

  it('should number ids from idOffset', () => {
    const dataset = syntheticDataset({ inputShape: shape, numClasses: 3, size: 4, seed: 1, idOffset: 100 });
    expect(Array.from(dataset.ids)).toEqual([100, 101, 102, 103]);
  });

  it('should be learnable: a nearest-class-mean classifier from train beats chance on test by far', () => {
    // Prepare
    const common = { inputShape: shape, numClasses: 4, seed: 11 };
    const train = syntheticDataset({ ...common, size: 200 });
    const test = syntheticDataset({ ...common, size: 100, split: 'test' });
    const length = 36;
    const means = Array.from({ length: 4 }, () => new Float64Array(length));
    const counts = new Array<number>(4).fill(0);
    for (let n = 0; n < train.size; n++) {
      counts[train.labels[n]]++;
      for (let i = 0; i < length; i++) means[train.labels[n]][i] += train.images[n * length + i];
    }
    means.forEach((mean, label) => mean.forEach((v, i) => (mean[i] = v / counts[label])));

    // Execute
    let correct = 0;
    for (let n = 0; n < test.size; n++) {
      const distances = means.map((mean) => mean.reduce((s, m, i) => s + (m - test.images[n * length + i]) ** 2, 0));
      if (distances.indexOf(Math.min(...distances)) === test.labels[n]) correct++;
    }

    // Assert
    expect(correct / test.size).toBeGreaterThan(0.9);
    expect(Array.from(test.images.subarray(0, 36))).not.toEqual(Array.from(train.images.subarray(0, 36)));
  });

  it('should be what loadDatasets returns for the synthetic name, without a fallback reason', async () => {
    const loaded = await loadDatasets({ name: 'synthetic', seed: 2, trainLimit: 64, testLimit: 16 });

    expect(loaded.fallbackReason).toBeUndefined();
    expect(loaded.train.size).toBe(64);
    expect(loaded.test.size).toBe(16);
    expect(loaded.train.inputShape).toEqual({ height: 28, width: 28, channels: 1 });
  });

  it('should reject unknown data set names', async () => {
    await expect(loadDatasets({ name: 'mnist' as 'synthetic', seed: 0 })).rejects.toThrow(/unknown data set 'mnist'/);
  });
});
