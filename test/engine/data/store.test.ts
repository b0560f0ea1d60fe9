import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import {
  batches,
  byteDecodeTable,
  byteStore,
  CIFAR10_MEAN,
  CIFAR10_STD,
  CIFAR10_TEST_FILE,
  CIFAR10_TRAIN_FILES,
  decodeExamples,
  floatStore,
  generatedStore,
  loadDatasets,
  padValuesFor,
  type Batch,
  type ByteExampleStore,
  type Dataset,
} from '../../../client/src/engine/data/index.js';
import { cifarRecord, concatBytes, idxBytes, withTempDir, writeFashionDir } from './fixtures.js';

// What the loaders stored before examples were kept as bytes: every kept example materialised as float32 with
// exactly these formulas (fashion-mnist.ts and cifar10.ts as they were).
function oldFashionFloats(pixels: Uint8Array): Float32Array {
  const out = new Float32Array(pixels.length);
  for (let i = 0; i < pixels.length; i++) out[i] = pixels[i] / 255;
  return out;
}

function oldCifarFloats(records: Uint8Array): Float32Array {
  const count = records.length / 3073;
  const out = new Float32Array(count * 3072);
  const scale = [0, 1, 2].map((c) => 1 / (255 * CIFAR10_STD[c]));
  const shift = [0, 1, 2].map((c) => -CIFAR10_MEAN[c] / CIFAR10_STD[c]);
  for (let n = 0; n < count; n++) {
    for (let c = 0; c < 3; c++) {
      for (let p = 0; p < 1024; p++) out[n * 3072 + p * 3 + c] = records[n * 3073 + 1 + c * 1024 + p] * scale[c] + shift[c];
    }
  }
  return out;
}

const xs = (plan: Iterable<Batch>): number[][] => [...plan].map((batch) => Array.from(batch.x));

/** Image n, pixel p = (37n + p) % 256: every byte value appears. */
function fashionPixels(count: number): Uint8Array {
  return Uint8Array.from({ length: count * 28 * 28 }, (_, i) => (37 * Math.floor(i / 784) + (i % 784)) % 256);
}

describe('byte storage', () => {
  it('should give Fashion-MNIST batches bit-identical to the float32 data sets it replaces, at 1 byte per value', async () => {
    await withTempDir(async (dir) => {
      // Prepare
      const pixels = fashionPixels(12);
      const labels = Uint8Array.from({ length: 12 }, (_, n) => n % 10);
      await writeFashionDir(dir, {
        trainImages: idxBytes([12, 28, 28], pixels),
        trainLabels: idxBytes([12], labels),
        testImages: idxBytes([2, 28, 28], pixels.subarray(0, 2 * 784)),
        testLabels: idxBytes([2], labels.subarray(0, 2)),
      });
      const { train } = await loadDatasets({ name: 'fashion-mnist', path: dir, seed: 1 });
      const reference: Dataset = { ...train, examples: floatStore(oldFashionFloats(pixels), 784) };

      // Execute + Assert: plain and augmented batches agree exactly
      for (const augment of [false, true]) {
        const options = { batchSize: 5, epoch: 2, seed: 7, augment };
        expect(xs(batches(train, options))).toEqual(xs(batches(reference, options)));
      }
      expect(decodeExamples(train.examples)).toEqual(oldFashionFloats(pixels));
      expect(train.examples.kind).toBe('bytes');
      expect((train.examples as ByteExampleStore).pixels.length).toBe(12 * 784);
      expect(train.examples.byteLength).toBe(12 * 784 + 256 * 4);
    });
  });

  it('should give CIFAR-10 batches bit-identical to the normalised float32 data sets it replaces', async () => {
    await withTempDir(async (dir) => {
      // Prepare: 10 records whose planes together cover every byte value
      const parts = CIFAR10_TRAIN_FILES.map((_, b) => concatBytes([0, 1].map((r) => cifarRecord(b, [50 * b + r, 90 * b + 7 * r, 130 * b + 3 * r]))));
      for (const [b, name] of CIFAR10_TRAIN_FILES.entries()) await writeFile(join(dir, name), parts[b]);
      await writeFile(join(dir, CIFAR10_TEST_FILE), cifarRecord(1, [0, 0, 0]));
      const { train } = await loadDatasets({ name: 'cifar10', path: dir, seed: 0 });
      const reference: Dataset = { ...train, examples: floatStore(oldCifarFloats(concatBytes(parts)), 3072) };

      // Execute + Assert
      for (const augment of [false, true]) {
        const options = { batchSize: 4, epoch: 1, seed: 3, augment };
        expect(xs(batches(train, options))).toEqual(xs(batches(reference, options)));
      }
      expect(train.examples.byteLength).toBe(10 * 3072 + 3 * 256 * 4);
    });
  });

  it('should decode byte 0 to the pad value augmentation uses (a black pixel, normalised)', () => {
    const normalization = { mean: CIFAR10_MEAN, std: CIFAR10_STD };
    const table = byteDecodeTable(3, normalization);
    const pad = padValuesFor({ inputShape: { height: 1, width: 1, channels: 3 }, normalization });
    expect([table[0], table[256], table[512]]).toEqual(Array.from(pad));
    expect(Array.from(byteDecodeTable(1).subarray(254))).toEqual([Math.fround(254 / 255), 1]);
  });
});

describe('example stores', () => {
  it('should interleave channels NHWC when decoding bytes', () => {
    const table = Float32Array.from({ length: 512 }, (_, i) => (i < 256 ? i : -(i - 256)));
    const store = byteStore(Uint8Array.from([1, 2, 3, 4, 5, 6, 7, 8]), 4, 2, table);

    expect(store.count).toBe(2);
    expect(Array.from(decodeExamples(store))).toEqual([1, -2, 3, -4, 5, -6, 7, -8]);
    expect(Array.from(decodeExamples(store.select([1])))).toEqual([5, -6, 7, -8]);
  });

  it('should select in the order asked, for every kind', () => {
    const values = Float32Array.from({ length: 6 }, (_, i) => i);
    const stores = [
      floatStore(values, 2),
      byteStore(Uint8Array.from(values), 2, 1, byteDecodeTable(1)),
      generatedStore(3, 2, (position, target, offset) => target.set([2 * position, 2 * position + 1], offset)),
    ];
    for (const store of stores) {
      const picked = store.select([2, 0]);
      const expected = store.kind === 'bytes' ? [4, 5, 0, 1].map((v) => Math.fround(v / 255)) : [4, 5, 0, 1];
      expect(Array.from(decodeExamples(picked))).toEqual(expected);
      expect(Array.from(decodeExamples(picked.select([1])))).toEqual(expected.slice(2));
      expect(picked.kind).toBe(store.kind);
    }
    expect(stores[2].byteLength).toBe(0);
  });

  it('should reject indices outside the store', () => {
    const store = floatStore(new Float32Array(4), 2);
    expect(() => store.write(2, new Float32Array(2), 0)).toThrow(/outside 0\.\.1/);
    expect(() => store.select([0, -1])).toThrow(/outside/);
    expect(() => byteStore(new Uint8Array(5), 2, 1, byteDecodeTable(1))).toThrow(/whole number/);
  });
});
