// CIFAR augmentation as in MEST's torchvision pipeline: RandomCrop(32, padding=4) then RandomHorizontalFlip, i.e.
// pad every side by 4 with black, take a random crop of the original size, flip it left-right with probability 1/2.
// Plain loops over one example's NHWC floats (decoded from the stored bytes just before), no padded copy is built.
// Used for every image data set (Fashion-MNIST, CIFAR-10/100, Tiny-ImageNet) when `augment` is on.
import type { Rng } from '../util/rng.js';
import type { Dataset } from './types.js';
import type { InputShape } from '../models/catalog.js';

export const CIFAR_AUGMENT_PADDING = 4;

/** One example's draw: the crop's top-left corner in the padded image (0..2·padding) and whether to flip. */
export interface CropFlip {
  readonly top: number;
  readonly left: number;
  readonly flip: boolean;
}

/**
 * The model-input value of a black (raw 0) pixel per channel: 0 for plain /255 data, -mean/std for normalised data.
 * torchvision pads before Normalize, so padding must use this value, not 0.
 */
export function padValuesFor(dataset: Pick<Dataset, 'inputShape' | 'normalization'>): Float32Array {
  const channels = dataset.inputShape.channels;
  const values = new Float32Array(channels);
  const norm = dataset.normalization;
  if (norm) for (let c = 0; c < channels; c++) values[c] = -norm.mean[c] / norm.std[c];
  return values;
}

export function drawCropFlip(rng: Rng, padding: number = CIFAR_AUGMENT_PADDING): CropFlip {
  const top = rng.int(2 * padding + 1);
  const left = rng.int(2 * padding + 1);
  return { top, left, flip: rng.next() < 0.5 };
}

/**
 * Writes the augmented version of one NHWC example. Output pixel (y, x) comes from the padded image at
 * (y + top, x' + left) with x' = width-1-x when flipped, else x; padded coordinates outside the original image
 * give `padValues[c]`.
 */
export function augmentExample(
  source: Float32Array,
  sourceOffset: number,
  target: Float32Array,
  targetOffset: number,
  shape: InputShape,
  draw: CropFlip,
  padValues: Float32Array,
  padding: number = CIFAR_AUGMENT_PADDING,
): void {
  const { height, width, channels } = shape;
  const rowLength = width * channels;
  for (let y = 0; y < height; y++) {
    const sourceY = y + draw.top - padding;
    const targetRow = targetOffset + y * rowLength;
    if (sourceY < 0 || sourceY >= height) {
      for (let x = 0; x < width; x++) for (let c = 0; c < channels; c++) target[targetRow + x * channels + c] = padValues[c];
      continue;
    }
    const sourceRow = sourceOffset + sourceY * rowLength;
    for (let x = 0; x < width; x++) {
      const sourceX = (draw.flip ? width - 1 - x : x) + draw.left - padding;
      const out = targetRow + x * channels;
      if (sourceX < 0 || sourceX >= width) {
        for (let c = 0; c < channels; c++) target[out + c] = padValues[c];
      } else {
        const from = sourceRow + sourceX * channels;
        for (let c = 0; c < channels; c++) target[out + c] = source[from + c];
      }
    }
  }
}
