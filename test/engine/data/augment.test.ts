import { describe, expect, it } from 'vitest';
import { augmentExample, batches, padValuesFor, type Dataset } from '../../../client/src/engine/data/index.js';

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
      images: new Float32Array(16 * 64).fill(1), labels: new Int32Array(16), ids: Uint32Array.from({ length: 16 }, (_, i) => i),
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
