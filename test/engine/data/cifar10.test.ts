import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import {
  CIFAR10_MEAN,
  CIFAR10_STD,
  CIFAR10_TEST_FILE,
  CIFAR10_TRAIN_FILES,
  decodeExamples,
  loadDatasets,
  parseCifar10Records,
} from '../../../client/src/engine/data/index.js';
import { cifarRecord, concatBytes, withTempDir, imagesOf } from './fixtures.js';

const normalized = (value: number, channel: number): number =>
  (value / 255 - CIFAR10_MEAN[channel]) / CIFAR10_STD[channel];

describe('parseCifar10Records', () => {
  it('should place CHW planes into NHWC order with per-channel normalisation', () => {
    // Prepare: 3 records, record n has plane bases (10n, 10n + 100, 10n + 200)
    const bytes = concatBytes([0, 1, 2].map((n) => cifarRecord(n + 3, [10 * n, 10 * n + 100, 10 * n + 200])));

    // Execute
    const raw = parseCifar10Records(bytes, 'three.bin');
    const image = decodeExamples(raw.select(Uint32Array.of(2)));

    // Assert: pixel (y=1, x=2) is plane index 34; NHWC offset (1 * 32 + 2) * 3 + c
    expect(raw.count).toBe(3);
    expect(Array.from(raw.labels)).toEqual([3, 4, 5]);
    const at = (y: number, x: number, c: number) => image[(y * 32 + x) * 3 + c];
    expect(at(1, 2, 0)).toBeCloseTo(normalized(20 + 34, 0), 5);
    expect(at(1, 2, 1)).toBeCloseTo(normalized(120 + 34, 1), 5);
    expect(at(1, 2, 2)).toBeCloseTo(normalized(220 + 34, 2), 5);
    expect(at(31, 31, 0)).toBeCloseTo(normalized((20 + 1023) % 256, 0), 5);
    expect(at(0, 0, 2)).toBeCloseTo(normalized(220, 2), 5);
  });

  it('should reject a file that is not a whole number of records', () => {
    const bytes = cifarRecord(1, [0, 0, 0]).subarray(0, 3000);
    expect(() => parseCifar10Records(bytes, 'short.bin')).toThrow(/short\.bin: 3000 bytes is not a whole number/);
  });

  it('should reject labels outside 0..9', () => {
    expect(() => parseCifar10Records(cifarRecord(10, [0, 0, 0]), 'bad.bin')).toThrow(/label 10/);
  });
});

describe('loadDatasets (cifar10)', () => {
  it('should concatenate the five training batches with ids in file order', async () => {
    await withTempDir(async (dir) => {
      // Prepare: batch b holds two records with labels 2b and 2b + 1
      for (const [b, name] of CIFAR10_TRAIN_FILES.entries()) {
        await writeFile(join(dir, name), concatBytes([cifarRecord(2 * b, [b, 0, 0]), cifarRecord(2 * b + 1, [b, 1, 1])]));
      }
      await writeFile(join(dir, CIFAR10_TEST_FILE), cifarRecord(7, [50, 60, 70]));

      // Execute
      const { train, test, fallbackReason } = await loadDatasets({ name: 'cifar10', path: dir, seed: 0 });

      // Assert
      expect(fallbackReason).toBeUndefined();
      expect(train.size).toBe(10);
      expect(Array.from(train.labels)).toEqual([0, 1, 2, 3, 4, 5, 6, 7, 8, 9]);
      expect(Array.from(train.ids)).toEqual([0, 1, 2, 3, 4, 5, 6, 7, 8, 9]);
      expect(train.inputShape).toEqual({ height: 32, width: 32, channels: 3 });
      expect(imagesOf(train)[6 * 3072]).toBeCloseTo(normalized(3, 0), 5); // record 6 = batch 4, first record, R base 3
      expect(train.normalization).toEqual({ mean: CIFAR10_MEAN, std: CIFAR10_STD });
      expect(test.size).toBe(1);
      expect(test.labels[0]).toBe(7);
    });
  });

  it('should name the training batch that holds a bad record', async () => {
    await withTempDir(async (dir) => {
      for (const [b, name] of CIFAR10_TRAIN_FILES.entries()) {
        await writeFile(join(dir, name), concatBytes([cifarRecord(0, [0, 0, 0]), cifarRecord(b === 2 ? 12 : 1, [0, 0, 0])]));
      }
      await writeFile(join(dir, CIFAR10_TEST_FILE), cifarRecord(7, [50, 60, 70]));

      await expect(loadDatasets({ name: 'cifar10', path: dir, seed: 0 })).rejects.toThrow(
        /data_batch_3\.bin: label 12 at index 1 is outside 0\.\.9/,
      );
    });
  });

  it('should fall back to 32×32×3 synthetic data when a batch is missing', async () => {
    await withTempDir(async (dir) => {
      await writeFile(join(dir, CIFAR10_TRAIN_FILES[0]), cifarRecord(0, [0, 0, 0]));

      const { train, fallbackReason } = await loadDatasets({ name: 'cifar10', path: dir, seed: 0, trainLimit: 30, testLimit: 10 });

      expect(fallbackReason).toContain(join(dir, 'data_batch_2.bin'));
      expect(train.synthetic).toBe(true);
      expect(train.name).toBe('cifar10');
      expect(train.inputShape).toEqual({ height: 32, width: 32, channels: 3 });
      expect(train.size).toBe(30);
    });
  });
});
