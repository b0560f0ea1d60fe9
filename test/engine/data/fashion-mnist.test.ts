import { existsSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import {
  DatasetFormatError,
  FASHION_MNIST_DEFAULT_DIR,
  loadDatasets,
  parseIdx,
} from '../../../client/src/engine/data/index.js';
import { idxBytes, patternImages, tinyFashion, withTempDir, writeFashionDir, imagesOf } from './fixtures.js';

const realFilesPresent = existsSync(`${FASHION_MNIST_DEFAULT_DIR}/t10k-images-idx3-ubyte.gz`);

describe('parseIdx', () => {
  it('should read the dimensions and data of an images file', () => {
    // Prepare
    const bytes = idxBytes([2, 3, 4], patternImages(2, 3, 4));

    // Execute
    const parsed = parseIdx(bytes, 'x', 3);

    // Assert
    expect(parsed.dims).toEqual([2, 3, 4]);
    expect(parsed.data.length).toBe(24);
    expect(parsed.data[13]).toBe((1 * 7 + 1) % 256);
  });

  it('should reject a wrong magic number', () => {
    const bytes = idxBytes([2], new Uint8Array([1, 2]), 0x09);
    expect(() => parseIdx(bytes, 'labels', 1)).toThrow(/bad IDX magic 0x00000901/);
  });

  it('should reject a labels file where an images file is expected', () => {
    const bytes = idxBytes([2], new Uint8Array([1, 2]));
    expect(() => parseIdx(bytes, 'images', 3)).toThrow(/expected 0x00000803/);
  });

  it('should reject truncated data and a truncated header', () => {
    const bytes = idxBytes([2, 3, 4], patternImages(2, 3, 4));
    expect(() => parseIdx(bytes.subarray(0, bytes.length - 1), 'images', 3)).toThrow(/truncated IDX data/);
    expect(() => parseIdx(bytes.subarray(0, 9), 'images', 3)).toThrow(/truncated IDX header/);
  });
});

describe('loadDatasets (fashion-mnist)', () => {
  it('should load gzipped IDX files from a directory with pixels scaled by 1/255', async () => {
    await withTempDir(async (dir) => {
      // Prepare
      await writeFashionDir(dir, tinyFashion(12, 5));

      // Execute
      const { train, test, fallbackReason } = await loadDatasets({ name: 'fashion-mnist', path: dir, seed: 1 });

      // Assert
      expect(fallbackReason).toBeUndefined();
      expect(train.synthetic).toBe(false);
      expect(train.name).toBe('fashion-mnist');
      expect(train.inputShape).toEqual({ height: 4, width: 4, channels: 1 });
      expect(train.size).toBe(12);
      expect(test.size).toBe(5);
      expect(Array.from(train.ids)).toEqual([...Array(12).keys()]);
      expect(Array.from(train.labels.subarray(0, 12))).toEqual([0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 0, 1]);
      expect(imagesOf(train)[3 * 16 + 5]).toBeCloseTo((3 * 7 + 5) / 255, 6);
      expect(train.normalization).toBeUndefined();
    });
  });

  it('should fail clearly on a corrupt file instead of falling back', async () => {
    await withTempDir(async (dir) => {
      const files = tinyFashion(12, 5);
      await writeFashionDir(dir, { ...files, testLabels: files.testLabels.subarray(0, files.testLabels.length - 2) });

      await expect(loadDatasets({ name: 'fashion-mnist', path: dir, seed: 1 })).rejects.toThrow(DatasetFormatError);
      await expect(loadDatasets({ name: 'fashion-mnist', path: dir, seed: 1 })).rejects.toThrow(
        /t10k-labels-idx1-ubyte\.gz: truncated IDX data/,
      );
    });
  });

  it('should reject a labels file whose count differs from the images', async () => {
    await withTempDir(async (dir) => {
      const files = tinyFashion(12, 5);
      await writeFashionDir(dir, { ...files, trainLabels: idxBytes([11], new Uint8Array(11)) });

      await expect(loadDatasets({ name: 'fashion-mnist', path: dir, seed: 1 })).rejects.toThrow(/11 labels for 12 images/);
    });
  });

  it('should fall back to synthetic data naming the missing file', async () => {
    await withTempDir(async (dir) => {
      const files = tinyFashion(12, 5);
      await writeFashionDir(dir, { ...files, testImages: undefined });

      const { train, test, fallbackReason } = await loadDatasets({
        name: 'fashion-mnist',
        path: dir,
        seed: 3,
        trainLimit: 50,
        testLimit: 20,
      });

      expect(fallbackReason).toContain(`${dir}/t10k-images-idx3-ubyte.gz`);
      expect(train.synthetic).toBe(true);
      expect(train.name).toBe('fashion-mnist');
      expect(train.inputShape).toEqual({ height: 28, width: 28, channels: 1 });
      expect(train.numClasses).toBe(10);
      expect(train.size).toBe(50);
      expect(test.size).toBe(20);
    });
  });

  it.skipIf(!realFilesPresent)('should load the real Fashion-MNIST test set', async () => {
    const { test, fallbackReason } = await loadDatasets({ name: 'fashion-mnist', seed: 0, trainLimit: 100 });

    expect(fallbackReason).toBeUndefined();
    expect(test.size).toBe(10000);
    expect(test.inputShape).toEqual({ height: 28, width: 28, channels: 1 });
    expect(imagesOf(test).length).toBe(10000 * 28 * 28);
    expect(new Set(test.labels).size).toBe(10);
    expect(Math.max(...imagesOf(test).subarray(0, 28 * 28 * 100))).toBeLessThanOrEqual(1);
  });
});
