import { describe, expect, it } from 'vitest';
import { batches, loadDatasets, syntheticDataset } from '../../../client/src/engine/data/index.js';
import { imagesOf } from './fixtures.js';

const shape = { height: 6, width: 6, channels: 1 };

describe(syntheticDataset.name, () => {
  it('should be deterministic for a seed', () => {
    const a = syntheticDataset({ inputShape: shape, numClasses: 3, size: 20, seed: 7 });
    const b = syntheticDataset({ inputShape: shape, numClasses: 3, size: 20, seed: 7 });
    const c = syntheticDataset({ inputShape: shape, numClasses: 3, size: 20, seed: 8 });

    expect(Array.from(imagesOf(a))).toEqual(Array.from(imagesOf(b)));
    expect(Array.from(a.labels)).toEqual(Array.from(b.labels));
    expect(Array.from(imagesOf(a))).not.toEqual(Array.from(imagesOf(c)));
    expect(a.synthetic).toBe(true);
    expect(a.name).toBe('synthetic');
  });

  it('should number ids from idOffset', () => {
    const dataset = syntheticDataset({ inputShape: shape, numClasses: 3, size: 4, seed: 1, idOffset: 100 });
    expect(Array.from(dataset.ids)).toEqual([100, 101, 102, 103]);
  });

  it('should be learnable: a nearest-class-mean classifier from train beats chance on test by far', () => {
    // Prepare: without label noise and class overlap, the templates alone tell the classes apart.
    const common = { inputShape: shape, numClasses: 4, seed: 11, labelNoise: 0, overlap: 0 };
    const train = syntheticDataset({ ...common, size: 200 });
    const test = syntheticDataset({ ...common, size: 100, split: 'test' });
    const length = 36;
    const [trainImages, testImages] = [imagesOf(train), imagesOf(test)];
    const means = Array.from({ length: 4 }, () => new Float64Array(length));
    const counts = new Array<number>(4).fill(0);
    for (let n = 0; n < train.size; n++) {
      counts[train.labels[n]]++;
      for (let i = 0; i < length; i++) means[train.labels[n]][i] += trainImages[n * length + i];
    }
    means.forEach((mean, label) => mean.forEach((v, i) => (mean[i] = v / counts[label])));

    // Execute
    let correct = 0;
    for (let n = 0; n < test.size; n++) {
      const distances = means.map((mean) => mean.reduce((s, m, i) => s + (m - testImages[n * length + i]) ** 2, 0));
      if (distances.indexOf(Math.min(...distances)) === test.labels[n]) correct++;
    }

    // Assert
    expect(correct / test.size).toBeGreaterThan(0.9);
    expect(Array.from(imagesOf(test).subarray(0, 36))).not.toEqual(Array.from(imagesOf(train).subarray(0, 36)));
  });

  it('should carry another class\'s label on about labelNoise of the examples, so no classifier reaches 100 %', () => {
    // Prepare: noise-free pixels are exactly their class template, so the pixels' class is the nearest template.
    const numClasses = 5;
    const templates = syntheticDataset({ inputShape: shape, numClasses, seed: 3, size: 400, noise: 0, labelNoise: 0 });
    const noisy = syntheticDataset({ inputShape: shape, numClasses, seed: 3, size: 2000, noise: 0 });
    const length = 36;
    const reference = imagesOf(templates);
    const templateOf = new Map<number, Float32Array>();
    for (let n = 0; n < templates.size && templateOf.size < numClasses; n++) {
      templateOf.set(templates.labels[n]!, reference.subarray(n * length, (n + 1) * length));
    }
    const pixels = imagesOf(noisy);

    // Execute: the class each example's pixels come from, against its label.
    let relabelled = 0;
    for (let n = 0; n < noisy.size; n++) {
      const image = pixels.subarray(n * length, (n + 1) * length);
      const source = [...templateOf.entries()].find(([, template]) => template.every((v, i) => Math.abs(v - image[i]!) < 1e-6))![0];
      if (source !== noisy.labels[n]) relabelled += 1;
    }

    // Assert: the default 10 % (± 3 %), each to another class.
    expect(templateOf.size).toBe(numClasses);
    expect(relabelled / noisy.size).toBeGreaterThan(0.07);
    expect(relabelled / noisy.size).toBeLessThan(0.13);
    expect(() => syntheticDataset({ inputShape: shape, numClasses, seed: 3, size: 1, labelNoise: 1 })).toThrow(/labelNoise must be in \[0, 1\)/);
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

  it('should keep no pixels in memory: examples are generated when a batch is built', () => {
    const dataset = syntheticDataset({ inputShape: { height: 32, width: 32, channels: 3 }, numClasses: 10, size: 1000, seed: 1 });
    expect(dataset.examples.kind).toBe('generated');
    expect(dataset.examples.byteLength).toBeLessThanOrEqual(4 * 1000);
  });

  it('should draw templates on a coarse grid when asked (each grid cell one value without noise)', () => {
    const dataset = syntheticDataset({ inputShape: { height: 4, width: 4, channels: 1 }, numClasses: 2, size: 3, seed: 1, noise: 0, templateSide: 2 });
    const image = imagesOf(dataset).subarray(0, 16);
    const cell = (y: number, x: number) => image[y * 4 + x];
    expect(new Set([cell(0, 0), cell(0, 1), cell(1, 0), cell(1, 1)]).size).toBe(1);
    expect(new Set([cell(2, 2), cell(2, 3), cell(3, 2), cell(3, 3)]).size).toBe(1);
    expect(cell(0, 0)).not.toBe(cell(3, 3));
  });
});

describe('ImageNet-shaped synthetic inputs', () => {
  it('should give 224×224×3 examples with 1000 classes from the imagenet shape, generated per batch', () => {
    // Execute
    const dataset = syntheticDataset({ shape: 'imagenet', size: 3, seed: 1 });
    const [batch] = batches(dataset, { batchSize: 3, epoch: 0, seed: 1 });
    const [again] = batches(dataset, { batchSize: 3, epoch: 0, seed: 1 });

    // Assert
    expect(dataset.inputShape).toEqual({ height: 224, width: 224, channels: 3 });
    expect(dataset.numClasses).toBe(1000);
    expect(dataset.examples.byteLength).toBeLessThan(1024);
    expect(batch.x.length).toBe(3 * 224 * 224 * 3);
    expect(batch.x.every(Number.isFinite)).toBe(true);
    expect(Array.from(again.x.subarray(0, 1000))).toEqual(Array.from(batch.x.subarray(0, 1000)));
    expect(batch.y.every((label) => label >= 0 && label < 1000)).toBe(true);
  });

  it('should take a configurable class count', () => {
    const dataset = syntheticDataset({ shape: 'imagenet', numClasses: 100, size: 50, seed: 2 });
    expect(dataset.numClasses).toBe(100);
    expect(Math.max(...dataset.labels)).toBeLessThan(100);
  });

  it('should be what loadDatasets returns for synthetic-imagenet', async () => {
    const loaded = await loadDatasets({ name: 'synthetic-imagenet', seed: 2, trainLimit: 8, testLimit: 2 });
    expect(loaded.fallbackReason).toBeUndefined();
    expect(loaded.train.synthetic).toBe(true);
    expect(loaded.train.name).toBe('synthetic-imagenet');
    expect(loaded.train.inputShape).toEqual({ height: 224, width: 224, channels: 3 });
    expect(loaded.train.numClasses).toBe(1000);
    expect(loaded.test.size).toBe(2);

    const fewer = await loadDatasets({ name: 'synthetic-imagenet', seed: 2, trainLimit: 8, testLimit: 2, numClasses: 10 });
    expect(fewer.train.numClasses).toBe(10);
  });
});

