import { describe, expect, it } from 'vitest';
import { DatasetMismatchError, datasetIdentityOf, loadDatasets } from '../../../client/src/engine/data/index.js';
import { idxBytes, patternImages, tinyFashion, withTempDir, writeFashionDir } from './fixtures.js';

describe('dataset identity', () => {
  it('should give the same identity on every load, independent of limits and shards', async () => {
    await withTempDir(async (dir) => {
      // Prepare
      await writeFashionDir(dir, tinyFashion(12, 5));

      // Execute
      const first = await datasetIdentityOf({ name: 'fashion-mnist', path: dir, seed: 1 });
      const again = await datasetIdentityOf({ name: 'fashion-mnist', path: dir, seed: 7 });
      const shard = await loadDatasets({ name: 'fashion-mnist', path: dir, seed: 1, trainLimit: 6, shardIndex: 1, shardCount: 2 }, { identity: true });

      // Assert
      expect(first).toMatchObject({ name: 'fashion-mnist', size: 12 });
      expect(first.contentHash).toMatch(/^[0-9a-f]{64}$/);
      expect(again).toEqual(first);
      expect(shard.trainIdentity).toEqual(first);
      expect(shard.train.size).toBeLessThan(12);
    });
  });

  it('should differ when one label, one pixel or the order of the examples changes', async () => {
    await withTempDir(async (dir) => {
      // Prepare
      const files = tinyFashion(12, 5);
      const labels = Uint8Array.from({ length: 12 }, (_, n) => n % 10);
      const pixels = patternImages(12, 4, 4);
      const identityWith = async (trainImages: Uint8Array, trainLabels: Uint8Array) => {
        await writeFashionDir(dir, { ...files, trainImages: idxBytes([12, 4, 4], trainImages), trainLabels: idxBytes([12], trainLabels) });
        return datasetIdentityOf({ name: 'fashion-mnist', path: dir, seed: 1 });
      };
      const original = await identityWith(pixels, labels);

      // Execute
      const oneLabel = Uint8Array.from(labels);
      oneLabel[11] = (oneLabel[11] + 1) % 10;
      const onePixel = Uint8Array.from(pixels);
      onePixel[5 * 16 + 3] ^= 1;
      const swapped = Uint8Array.from(pixels);
      swapped.set(pixels.subarray(16, 32), 0);
      swapped.set(pixels.subarray(0, 16), 16);
      const swappedLabels = Uint8Array.from(labels);
      [swappedLabels[0], swappedLabels[1]] = [labels[1], labels[0]];
      const hashes = [
        await identityWith(pixels, oneLabel),
        await identityWith(onePixel, labels),
        await identityWith(swapped, swappedLabels),
        await identityWith(pixels, labels),
      ].map((identity) => identity.contentHash);

      // Assert
      expect(hashes[0]).not.toBe(original.contentHash);
      expect(hashes[1]).not.toBe(original.contentHash);
      expect(hashes[2]).not.toBe(original.contentHash);
      expect(new Set(hashes.slice(0, 3)).size).toBe(3);
      expect(hashes[3]).toBe(original.contentHash);
    });
  });

  it('should hash synthetic data by its generated examples: same seed same identity, another seed another', async () => {
    const spec = { name: 'synthetic' as const, seed: 3, trainLimit: 40, inputShape: { height: 4, width: 4, channels: 1 } };

    const first = await datasetIdentityOf(spec);
    const loaded = await loadDatasets({ ...spec, shardIndex: 0, shardCount: 4 }, { identity: true });
    const otherSeed = await datasetIdentityOf({ ...spec, seed: 4 });

    expect(first).toMatchObject({ name: 'synthetic', size: 40 });
    expect(loaded.trainIdentity).toEqual(first);
    expect(otherSeed.contentHash).not.toBe(first.contentHash);
  });

  it('should compute the identity only when asked', async () => {
    const loaded = await loadDatasets({ name: 'synthetic', seed: 3, trainLimit: 8, testLimit: 4 });

    expect(loaded.trainIdentity).toBeUndefined();
  });

  it('should name both identities in a mismatch error', () => {
    const expected = { name: 'fashion-mnist', contentHash: 'a'.repeat(64), size: 60000 };
    const actual = { name: 'fashion-mnist', contentHash: 'b'.repeat(64), size: 60000 };

    const error = new DatasetMismatchError(expected, actual);

    expect(error.name).toBe('DatasetMismatchError');
    expect(error.message).toContain('aaaaaaaaaaaa');
    expect(error.message).toContain('bbbbbbbbbbbb');
    expect(error.expected).toEqual(expected);
  });
});
