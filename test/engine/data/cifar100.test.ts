import { mkdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import {
  CIFAR100_MEAN,
  CIFAR100_STD,
  CIFAR100_TEST_FILE,
  CIFAR100_TRAIN_FILE,
  DatasetFormatError,
  loadDatasets,
  parseCifar100Records,
  type ByteExampleStore,
} from '../../../client/src/engine/data/index.js';
import { cifar100Record, concatBytes, imagesOf, withTempDir } from './fixtures.js';

const normalized = (value: number, channel: number): number =>
  (value / 255 - CIFAR100_MEAN[channel]) / CIFAR100_STD[channel];

/** Record n: coarse n % 20, fine (7n + 3) % 100, plane bases (n, 2n + 50, 3n + 100). */
const record = (n: number): Uint8Array => cifar100Record(n % 20, (7 * n + 3) % 100, [n, 2 * n + 50, 3 * n + 100]);

async function writeCifar100(dir: string, train: number, test: number): Promise<void> {
  await writeFile(join(dir, CIFAR100_TRAIN_FILE), concatBytes(Array.from({ length: train }, (_, n) => record(n))));
  await writeFile(join(dir, CIFAR100_TEST_FILE), concatBytes(Array.from({ length: test }, (_, n) => record(100 + n))));
}

describe('parseCifar100Records', () => {
  it('should read the fine label by default and the coarse one when asked', () => {
    const bytes = concatBytes([0, 1, 2, 3].map(record));

    expect(Array.from(parseCifar100Records(bytes, 'train.bin').labels)).toEqual([3, 10, 17, 24]);
    expect(Array.from(parseCifar100Records(bytes, 'train.bin', 'coarse').labels)).toEqual([0, 1, 2, 3]);
  });

  it('should keep the raw pixels as NHWC bytes, exactly', () => {
    // Execute
    const store = parseCifar100Records(concatBytes([0, 1, 2].map(record)), 'three.bin').select(Uint32Array.of(2, 0));

    // Assert: example 0 of the store is record 2; pixel (y, x) is plane index 32y + x
    const bytes = (store as ByteExampleStore).pixels;
    expect(store.kind).toBe('bytes');
    expect(bytes.length).toBe(2 * 3072);
    const at = (example: number, y: number, x: number, c: number) => bytes[example * 3072 + (y * 32 + x) * 3 + c];
    expect([at(0, 1, 2, 0), at(0, 1, 2, 1), at(0, 1, 2, 2)]).toEqual([2 + 34, 54 + 34, 106 + 34]);
    expect([at(1, 31, 31, 0), at(1, 31, 31, 1), at(1, 31, 31, 2)]).toEqual([1023 % 256, (50 + 1023) % 256, (100 + 1023) % 256]);
  });

  it('should reject a file that is not a whole number of 3074-byte records', () => {
    expect(() => parseCifar100Records(record(0).subarray(0, 3073), 'short.bin')).toThrow(
      /short\.bin: 3073 bytes is not a whole number of 3074-byte CIFAR-100 records/,
    );
  });

  it('should reject labels outside the label set', () => {
    const bad = cifar100Record(3, 100, [0, 0, 0]);
    expect(() => parseCifar100Records(bad, 'bad.bin')).toThrow(/label 100/);
    expect(() => parseCifar100Records(cifar100Record(20, 5, [0, 0, 0]), 'bad.bin', 'coarse')).toThrow(/label 20/);
  });
});

describe('loadDatasets (cifar100)', () => {
  it('should load train.bin and test.bin with fine labels, file-order ids and per-channel normalisation', async () => {
    await withTempDir(async (dir) => {
      await writeCifar100(dir, 6, 3);

      const { train, test, fallbackReason } = await loadDatasets({ name: 'cifar100', path: dir, seed: 0 });

      expect(fallbackReason).toBeUndefined();
      expect(train.name).toBe('cifar100');
      expect(train.numClasses).toBe(100);
      expect(train.inputShape).toEqual({ height: 32, width: 32, channels: 3 });
      expect(Array.from(train.ids)).toEqual([0, 1, 2, 3, 4, 5]);
      expect(Array.from(train.labels)).toEqual([3, 10, 17, 24, 31, 38]);
      expect(Array.from(test.labels)).toEqual([703 % 100, 710 % 100, 717 % 100]);
      expect(train.normalization).toEqual({ mean: CIFAR100_MEAN, std: CIFAR100_STD });
      const images = imagesOf(train);
      const at = (n: number, y: number, x: number, c: number) => images[n * 3072 + (y * 32 + x) * 3 + c];
      expect(at(4, 0, 5, 0)).toBeCloseTo(normalized(4 + 5, 0), 5);
      expect(at(4, 0, 5, 1)).toBeCloseTo(normalized(58 + 5, 1), 5);
      expect(at(4, 0, 5, 2)).toBeCloseTo(normalized(112 + 5, 2), 5);
      // Stored compactly: one byte per value.
      expect(train.examples.kind).toBe('bytes');
      expect((train.examples as ByteExampleStore).pixels.length).toBe(6 * 3072);
    });
  });

  it('should give 20 coarse classes when asked', async () => {
    await withTempDir(async (dir) => {
      await writeCifar100(dir, 4, 2);

      const { train } = await loadDatasets({ name: 'cifar100', path: dir, seed: 0, cifar100Labels: 'coarse' });

      expect(train.numClasses).toBe(20);
      expect(Array.from(train.labels)).toEqual([0, 1, 2, 3]);
    });
  });

  it('should find the files in a cifar-100-binary/ subdirectory and apply limits', async () => {
    await withTempDir(async (dir) => {
      await mkdir(join(dir, 'cifar-100-binary'));
      await writeCifar100(join(dir, 'cifar-100-binary'), 10, 4);

      const { train, test } = await loadDatasets({ name: 'cifar100', path: dir, seed: 3, trainLimit: 5, testLimit: 2 });

      expect(train.size).toBe(5);
      expect(test.size).toBe(2);
      const decoded = imagesOf(train);
      train.ids.forEach((id, i) => expect(decoded[i * 3072]).toBeCloseTo(normalized(id, 0), 5));
    });
  });

  it('should fall back to 32×32×3 synthetic data with 100 classes when test.bin is missing', async () => {
    await withTempDir(async (dir) => {
      await writeFile(join(dir, CIFAR100_TRAIN_FILE), record(0));

      const { train, fallbackReason } = await loadDatasets({ name: 'cifar100', path: dir, seed: 0, trainLimit: 20, testLimit: 5 });

      expect(fallbackReason).toContain(join(dir, CIFAR100_TEST_FILE));
      expect(train.synthetic).toBe(true);
      expect(train.name).toBe('cifar100');
      expect(train.numClasses).toBe(100);
      expect(train.inputShape).toEqual({ height: 32, width: 32, channels: 3 });
    });
  });

  it('should report a corrupt file as an error, not a fallback', async () => {
    await withTempDir(async (dir) => {
      await writeFile(join(dir, CIFAR100_TRAIN_FILE), new Uint8Array(100));
      await writeFile(join(dir, CIFAR100_TEST_FILE), record(0));

      await expect(loadDatasets({ name: 'cifar100', path: dir, seed: 0 })).rejects.toThrow(DatasetFormatError);
    });
  });
});
