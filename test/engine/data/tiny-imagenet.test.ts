import { mkdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import jpeg from 'jpeg-js';
import { describe, expect, it } from 'vitest';
import {
  DatasetFormatError,
  loadDatasets,
  TINY_IMAGENET_MEAN,
  TINY_IMAGENET_STD,
  type ByteExampleStore,
  type Dataset,
} from '../../../client/src/engine/data/index.js';
import { imagesOf, withTempDir } from './fixtures.js';

const SIDE = 64;
const LENGTH = SIDE * SIDE * 3;

/** A smooth RGB image (JPEG keeps it within a few levels): value = y + x + 30c + 6k. */
function imagePixels(k: number, side = SIDE): Uint8Array {
  const rgb = new Uint8Array(side * side * 3);
  for (let y = 0; y < side; y++) for (let x = 0; x < side; x++) for (let c = 0; c < 3; c++) rgb[(y * side + x) * 3 + c] = y + x + 30 * c + 6 * k;
  return rgb;
}

const encoded = new Map<string, Uint8Array>();

/** Pattern k encoded at quality 100 (memoised: encoding is the slow part of these tests). */
function jpegOf(k: number, side = SIDE): Uint8Array {
  const key = `${k}/${side}`;
  const cached = encoded.get(key);
  if (cached) return cached;
  const rgb = imagePixels(k, side);
  const rgba = new Uint8Array(side * side * 4);
  for (let p = 0; p < side * side; p++) {
    rgba.set(rgb.subarray(p * 3, p * 3 + 3), p * 4);
    rgba[p * 4 + 3] = 255;
  }
  const bytes = new Uint8Array(jpeg.encode({ width: side, height: side, data: rgba }, 100).data);
  encoded.set(key, bytes);
  return bytes;
}

/**
 * wnids.txt lists n03, n01, n02 (unsorted, so class indices must come from sorting). Training images of class
 * `wnid` are `<wnid>_0`, `_1`, `_10` (lexicographic order puts _10 before _2, as ImageFolder does); image k of the
 * whole tree is drawn with pattern k. Returns the pattern number per training id and per val id.
 */
async function writeTree(root: string): Promise<{ train: number[]; val: number[] }> {
  await writeFile(join(root, 'wnids.txt'), 'n03\nn01\nn02\n');
  const train: number[] = [];
  let k = 0;
  for (const wnid of ['n01', 'n02', 'n03']) {
    const images = join(root, 'train', wnid, 'images');
    await mkdir(images, { recursive: true });
    await writeFile(join(root, 'train', wnid, `${wnid}_boxes.txt`), 'ignored\n');
    for (const n of [0, 1, 10]) {
      await writeFile(join(images, `${wnid}_${n}.JPEG`), jpegOf(k));
      train.push(k++);
    }
  }
  await mkdir(join(root, 'val', 'images'), { recursive: true });
  const annotations = ['n02', 'n03', 'n01', 'n02'].map((wnid, i) => `val_${i}.JPEG\t${wnid}\t0\t0\t63\t63`);
  const val: number[] = [];
  for (let i = 0; i < 4; i++) {
    await writeFile(join(root, 'val', 'images', `val_${i}.JPEG`), jpegOf(k));
    val.push(k++);
  }
  await writeFile(join(root, 'val', 'val_annotations.txt'), annotations.join('\n') + '\n');
  return { train, val };
}

/** Largest and mean absolute difference between the stored bytes of example `index` and pattern `k`. */
function pixelError(dataset: Dataset, index: number, k: number): { max: number; mean: number } {
  const stored = (dataset.examples as ByteExampleStore).pixels.subarray(index * LENGTH, (index + 1) * LENGTH);
  const expected = imagePixels(k);
  let max = 0;
  let sum = 0;
  for (let i = 0; i < LENGTH; i++) {
    const d = Math.abs(stored[i] - expected[i]);
    max = Math.max(max, d);
    sum += d;
  }
  return { max, mean: sum / LENGTH };
}

describe('loadDatasets (tiny-imagenet)', () => {
  it('should read the folder layout with sorted-wnid labels, ImageFolder-order train ids and annotated val labels', async () => {
    await withTempDir(async (dir) => {
      // Prepare
      const patterns = await writeTree(dir);

      // Execute
      const { train, test, fallbackReason } = await loadDatasets({ name: 'tiny-imagenet', path: dir, seed: 0 });

      // Assert
      expect(fallbackReason).toBeUndefined();
      expect(train.name).toBe('tiny-imagenet');
      expect(train.synthetic).toBe(false);
      expect(train.inputShape).toEqual({ height: 64, width: 64, channels: 3 });
      expect(train.numClasses).toBe(3);
      expect(Array.from(train.ids)).toEqual([0, 1, 2, 3, 4, 5, 6, 7, 8]);
      expect(Array.from(train.labels)).toEqual([0, 0, 0, 1, 1, 1, 2, 2, 2]);
      expect(Array.from(test.ids)).toEqual([0, 1, 2, 3]);
      expect(Array.from(test.labels)).toEqual([1, 2, 0, 1]);
      expect(train.normalization).toEqual({ mean: TINY_IMAGENET_MEAN, std: TINY_IMAGENET_STD });
      // JPEG is lossy: every decoded pixel within a few levels of what was encoded.
      expect(train.examples.kind).toBe('bytes');
      expect((train.examples as ByteExampleStore).pixels.length).toBe(9 * LENGTH);
      patterns.train.forEach((k, index) => {
        const error = pixelError(train, index, k);
        expect(error.max).toBeLessThanOrEqual(6);
        expect(error.mean).toBeLessThan(1.5);
      });
      patterns.val.forEach((k, index) => expect(pixelError(test, index, k).max).toBeLessThanOrEqual(6));
    });
  });

  it('should normalise per channel when batches are built', async () => {
    await withTempDir(async (dir) => {
      await writeTree(dir);

      const { train } = await loadDatasets({ name: 'tiny-imagenet', path: dir, seed: 0 });

      const images = imagesOf(train);
      const bytes = (train.examples as ByteExampleStore).pixels;
      for (const i of [0, 1, 2, 5000, LENGTH * 8 + 77]) {
        const c = i % 3;
        expect(images[i]).toBeCloseTo((bytes[i] / 255 - TINY_IMAGENET_MEAN[c]) / TINY_IMAGENET_STD[c], 5);
      }
    });
  });

  it('should accept the parent of tiny-imagenet-200/ and read only the images a limit keeps', async () => {
    await withTempDir(async (dir) => {
      // Prepare
      const root = join(dir, 'tiny-imagenet-200');
      await mkdir(root);
      const patterns = await writeTree(root);
      const spec = { name: 'tiny-imagenet', path: dir, seed: 4, trainLimit: 3, testLimit: 2 } as const;
      const kept = (await loadDatasets(spec)).train.ids;
      const dropped = [0, 1, 2, 3, 4, 5, 6, 7, 8].find((id) => !kept.includes(id)) ?? 0;
      const wnid = ['n01', 'n02', 'n03'][Math.floor(dropped / 3)];
      await writeFile(join(root, 'train', wnid, 'images', `${wnid}_${[0, 1, 10][dropped % 3]}.JPEG`), new Uint8Array(3));

      // Execute: the corrupt image is not among the kept ones, so it is never decoded
      const { train, test } = await loadDatasets(spec);

      // Assert
      expect(Array.from(train.ids)).toEqual(Array.from(kept));
      expect(train.size).toBe(3);
      expect(new Set(train.labels).size).toBe(3); // class-balanced
      expect(test.size).toBe(2);
      train.ids.forEach((id, index) => expect(pixelError(train, index, patterns.train[id]).max).toBeLessThanOrEqual(6));
    });
  });

  it('should fall back to 64×64×3 synthetic data with 200 classes when wnids.txt is missing', async () => {
    await withTempDir(async (dir) => {
      const { train, test, fallbackReason } = await loadDatasets({
        name: 'tiny-imagenet',
        path: dir,
        seed: 0,
        trainLimit: 10,
        testLimit: 4,
      });

      expect(fallbackReason).toContain(join(dir, 'wnids.txt'));
      expect(train.synthetic).toBe(true);
      expect(train.numClasses).toBe(200);
      expect(train.inputShape).toEqual({ height: 64, width: 64, channels: 3 });
      expect(test.size).toBe(4);
    });
  });

  it('should reject an image that is not 64×64', async () => {
    await withTempDir(async (dir) => {
      await writeTree(dir);
      await writeFile(join(dir, 'train', 'n02', 'images', 'n02_1.JPEG'), jpegOf(0, 32));

      const load = loadDatasets({ name: 'tiny-imagenet', path: dir, seed: 0 });

      await expect(load).rejects.toThrow(DatasetFormatError);
      await expect(load).rejects.toThrow(/n02_1\.JPEG: image is 32×32, expected 64×64/);
    });
  });

  it('should reject a file that is not a JPEG', async () => {
    await withTempDir(async (dir) => {
      await writeTree(dir);
      await writeFile(join(dir, 'val', 'images', 'val_2.JPEG'), new Uint8Array([1, 2, 3, 4]));

      await expect(loadDatasets({ name: 'tiny-imagenet', path: dir, seed: 0 })).rejects.toThrow(/val_2\.JPEG: not a decodable JPEG/);
    });
  });

  it('should reject a val annotation with a class not in wnids.txt', async () => {
    await withTempDir(async (dir) => {
      await writeTree(dir);
      await writeFile(join(dir, 'val', 'val_annotations.txt'), 'val_0.JPEG\tn01\t0\t0\t1\t1\nval_1.JPEG\tn99\t0\t0\t1\t1\n');

      await expect(loadDatasets({ name: 'tiny-imagenet', path: dir, seed: 0 })).rejects.toThrow(/val_annotations\.txt: line 2/);
    });
  });

  it('should reject a class listed in wnids.txt without a training folder', async () => {
    await withTempDir(async (dir) => {
      await writeTree(dir);
      await writeFile(join(dir, 'wnids.txt'), 'n01\nn02\nn03\nn04\n');

      await expect(loadDatasets({ name: 'tiny-imagenet', path: dir, seed: 0 })).rejects.toThrow(/lists class n04/);
    });
  });
});
