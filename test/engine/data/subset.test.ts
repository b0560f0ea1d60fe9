import { describe, expect, it } from 'vitest';
import {
  datasetSubset,
  loadDatasets,
  selectPositions,
  shardOf,
  syntheticDataset,
} from '../../../client/src/engine/data/index.js';
import { tinyFashion, withTempDir, writeFashionDir, imagesOf } from './fixtures.js';

describe('selectPositions', () => {
  const labels = Int32Array.from({ length: 1000 }, (_, i) => (i < 700 ? 0 : i < 900 ? 1 : 2));

  it('should take a seeded class-balanced subset', () => {
    const picked = selectPositions(labels, 3, { limit: 90, seed: 5, purpose: 'train' });
    const perClass = [0, 0, 0];
    for (const position of picked) perClass[labels[position]]++;

    expect(perClass).toEqual([30, 30, 30]);
    expect(Array.from(picked)).toEqual(Array.from(picked).sort((a, b) => a - b));
    expect(new Set(picked).size).toBe(90);
  });

  it('should be deterministic for a seed and differ across seeds', () => {
    const a = selectPositions(labels, 3, { limit: 50, seed: 5, purpose: 'train' });
    const b = selectPositions(labels, 3, { limit: 50, seed: 5, purpose: 'train' });
    const c = selectPositions(labels, 3, { limit: 50, seed: 6, purpose: 'train' });

    expect(Array.from(a)).toEqual(Array.from(b));
    expect(Array.from(a)).not.toEqual(Array.from(c));
  });

  it('should give the remaining quota to classes that still have examples', () => {
    const picked = selectPositions(labels, 3, { limit: 500, seed: 1, purpose: 'train' });
    const perClass = [0, 0, 0];
    for (const position of picked) perClass[labels[position]]++;

    expect(perClass).toEqual([200, 200, 100]);
  });

  it('should split into disjoint shards that cover the limited set', () => {
    const limited = selectPositions(labels, 3, { limit: 300, seed: 2, purpose: 'train' });
    const shards = [0, 1, 2, 3].map((shardIndex) =>
      selectPositions(labels, 3, { limit: 300, seed: 2, purpose: 'train', shardIndex, shardCount: 4 }),
    );

    const union = shards.flatMap((shard) => Array.from(shard)).sort((a, b) => a - b);
    expect(union).toEqual(Array.from(limited));
    expect(new Set(union).size).toBe(300);
    for (const [index, shard] of shards.entries()) {
      expect(shard.length).toBeGreaterThan(40);
      for (const id of shard) expect(shardOf(id, 4)).toBe(index);
    }
  });

  it('should reject a shard index outside the shard count', () => {
    expect(() => selectPositions(labels, 3, { seed: 0, purpose: 'train', shardIndex: 4, shardCount: 4 })).toThrow(
      /shard index 4/,
    );
  });
});

describe('loadDatasets (sharding)', () => {
  it('should shard the training set only', async () => {
    await withTempDir(async (dir) => {
      await writeFashionDir(dir, tinyFashion(40, 8));

      const parts = await Promise.all(
        [0, 1].map((shardIndex) => loadDatasets({ name: 'fashion-mnist', path: dir, seed: 0, shardIndex, shardCount: 2 })),
      );

      const ids = parts.flatMap((part) => Array.from(part.train.ids)).sort((a, b) => a - b);
      expect(ids).toEqual([...Array(40).keys()]);
      expect(parts[0].train.size).toBeGreaterThan(0);
      expect(parts[1].train.size).toBeGreaterThan(0);
      expect(parts[0].test.size).toBe(8);
      expect(parts[1].test.size).toBe(8);
    });
  });
});

describe('datasetSubset', () => {
  it('should keep only the listed ids with their images and labels', () => {
    const dataset = syntheticDataset({ inputShape: { height: 2, width: 2, channels: 1 }, numClasses: 3, size: 6, seed: 1 });

    const subset = datasetSubset(dataset, new Set([1, 4, 99]));

    expect(Array.from(subset.ids)).toEqual([1, 4]);
    expect(subset.size).toBe(2);
    expect(Array.from(subset.labels)).toEqual([dataset.labels[1], dataset.labels[4]]);
    expect(Array.from(imagesOf(subset))).toEqual([...imagesOf(dataset).subarray(4, 8), ...imagesOf(dataset).subarray(16, 20)]);
  });
});
