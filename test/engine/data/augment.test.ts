import { describe, expect, it } from 'vitest';
import {
  augmentExample,
  batches,
  byteDecodeTable,
  byteStore,
  CIFAR10_NORMALIZATION,
  decodeExamples,
  floatStore,
  padValuesFor,
  type Batch,
  type CropFlip,
  type Dataset,
} from '../../../client/src/engine/data/index.js';

// 3×3 image, 2 channels: value = 10 * (y * 3 + x) + c
const shape = { height: 3, width: 3, channels: 2 };
const source = Float32Array.from({ length: 18 }, (_, i) => 10 * Math.floor(i / 2) + (i % 2));
const pad = Float32Array.from([-1, -2]);
const pixel = (image: Float32Array, y: number, x: number): number[] => [image[(y * 3 + x) * 2], image[(y * 3 + x) * 2 + 1]];

describe(augmentExample.name, () => {
  it('should return the image unchanged for the centred crop without flip', () => {
    const target = new Float32Array(18);
    augmentExample(source, 0, target, 0, shape, { top: 4, left: 4, flip: false }, pad);
    expect(Array.from(target)).toEqual(Array.from(source));
  });

  it('should shift the crop and fill the uncovered border with the pad value', () => {
    // Crop corner (5, 3) in the 4-padded image: output (y, x) = source (y + 1, x - 1).
    const target = new Float32Array(18);
    augmentExample(source, 0, target, 0, shape, { top: 5, left: 3, flip: false }, pad);

    expect(pixel(target, 0, 0)).toEqual([-1, -2]);
    expect(pixel(target, 0, 1)).toEqual([30, 31]); // source (1, 0)
    expect(pixel(target, 1, 2)).toEqual([70, 71]); // source (2, 1)
    expect(pixel(target, 2, 1)).toEqual([-1, -2]); // source row 3 is padding
  });

  it('should flip the crop left-right', () => {
    // Crop corner (4, 5): crop (y, x) = source (y, x + 1); flipped output (y, x) = crop (y, 2 - x) = source (y, 3 - x).
    const target = new Float32Array(18);
    augmentExample(source, 0, target, 0, shape, { top: 4, left: 5, flip: true }, pad);

    expect(pixel(target, 0, 0)).toEqual([-1, -2]); // source x = 3 is padding
    expect(pixel(target, 0, 1)).toEqual([20, 21]); // source (0, 2)
    expect(pixel(target, 2, 2)).toEqual([70, 71]); // source (2, 1)
  });

  it('should write at the given offsets', () => {
    const target = new Float32Array(36).fill(99);
    augmentExample(source, 0, target, 18, shape, { top: 4, left: 4, flip: true }, pad);
    expect(target[0]).toBe(99);
    expect(pixel(target.subarray(18), 0, 0)).toEqual([20, 21]);
  });
});

describe(padValuesFor.name, () => {
  it('should pad normalised data with the value of a black pixel', () => {
    const values = padValuesFor({ inputShape: { height: 1, width: 1, channels: 2 }, normalization: { mean: [0.5, 0.25], std: [0.5, 0.25] } });
    expect(Array.from(values)).toEqual([-1, -1]);
  });
});

describe('batches with augment', () => {
  it('should produce crops of each example that only differ by shift, flip and padding', () => {
    // Prepare: a constant image (value 1) so every augmented pixel is either 1 or the pad value 0.
    const dataset: Dataset = {
      name: 'synthetic', synthetic: true, inputShape: { height: 8, width: 8, channels: 1 }, numClasses: 2, size: 16,
      examples: floatStore(new Float32Array(16 * 64).fill(1), 64), labels: new Int32Array(16), ids: Uint32Array.from({ length: 16 }, (_, i) => i),
    };

    // Execute
    const all = [...batches(dataset, { batchSize: 16, epoch: 0, seed: 3, augment: true })][0];

    // Assert: values stay in {0, 1} and at least one example was shifted (has padding)
    expect(new Set(all.x)).toEqual(new Set([0, 1]));
    const onesPerExample = Array.from({ length: 16 }, (_, i) => all.x.subarray(i * 64, (i + 1) * 64).reduce((s, v) => s + v, 0));
    expect(onesPerExample.some((count) => count < 64)).toBe(true);
    expect(onesPerExample.every((count) => count >= 16)).toBe(true); // shift of at most 4 leaves a 4×4 core
  });
});

describe('batches with augment on byte-stored images', () => {
  // 16 CIFAR-shaped examples of distinct pseudo-random bytes, so a crop and flip is identified by its output.
  const count = 16;
  const shape = { height: 32, width: 32, channels: 3 };
  const pixels = Uint8Array.from({ length: count * 3072 }, (_, i) => (Math.imul(i + 1, 2654435761) >>> 24) & 0xff);
  const dataset: Dataset = {
    name: 'cifar10',
    synthetic: false,
    inputShape: shape,
    numClasses: 10,
    size: count,
    examples: byteStore(pixels, 3072, 3, byteDecodeTable(3, CIFAR10_NORMALIZATION)),
    labels: new Int32Array(count),
    ids: Uint32Array.from({ length: count }, (_, i) => i),
    normalization: CIFAR10_NORMALIZATION,
  };
  const pad = padValuesFor(dataset);
  const draw = (options: { seed: number; epoch: number }): Batch => [...batches(dataset, { batchSize: count, augment: true, ...options })][0];

  /** The crop and flip that turns example `id` into `augmented`, or undefined when none does. */
  function findDraw(id: number, augmented: Float32Array): CropFlip | undefined {
    const source = decodeExamples(dataset.examples, [id]);
    const candidate = new Float32Array(3072);
    for (let top = 0; top <= 8; top++) {
      for (let left = 0; left <= 8; left++) {
        for (const flip of [false, true]) {
          augmentExample(source, 0, candidate, 0, shape, { top, left, flip }, pad);
          if (candidate.every((v, i) => v === augmented[i])) return { top, left, flip };
        }
      }
    }
    return undefined;
  }

  it('should be deterministic for (seed, epoch) and differ across seeds and epochs', () => {
    const first = draw({ seed: 5, epoch: 0 });
    expect(Array.from(draw({ seed: 5, epoch: 0 }).x)).toEqual(Array.from(first.x));
    expect(Array.from(draw({ seed: 6, epoch: 0 }).x)).not.toEqual(Array.from(first.x));
    expect(Array.from(draw({ seed: 5, epoch: 1 }).x)).not.toEqual(Array.from(first.x));
  });

  it('should make every example a 4-padded random crop, flipped about half the time, padded with black', () => {
    // Execute
    const batch = draw({ seed: 5, epoch: 0 });
    const draws = Array.from(batch.ids, (id, i) => findDraw(id, batch.x.subarray(i * 3072, (i + 1) * 3072)));

    // Assert: each output is exactly one crop/flip of its example; the batch mixes flips and shifts
    expect(draws.every((d) => d !== undefined)).toBe(true);
    const found = draws as CropFlip[];
    expect(found.some((d) => d.flip)).toBe(true);
    expect(found.some((d) => !d.flip)).toBe(true);
    expect(found.some((d) => d.top !== 4 || d.left !== 4)).toBe(true);
    // A crop shifted down (top < 4) starts with padding rows: the normalised value of a black pixel
    const shiftedIndex = found.findIndex((d) => d.top < 4);
    if (shiftedIndex >= 0) {
      const row = batch.x.subarray(shiftedIndex * 3072, shiftedIndex * 3072 + 96);
      expect(Array.from(row.subarray(0, 3))).toEqual(Array.from(pad));
      expect(pad[0]).toBeCloseTo(-CIFAR10_NORMALIZATION.mean[0] / CIFAR10_NORMALIZATION.std[0], 6);
    }
  });
});
