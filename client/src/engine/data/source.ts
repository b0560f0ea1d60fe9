// A parsed but not yet converted split: labels plus a way to write one example as float NHWC. Selecting examples
// (limits, shards) before converting keeps memory to what is kept: CIFAR-10's 50k training images are 614 MB as
// Float32 but 154 MB as bytes.
import type { InputShape } from '../models/catalog.js';
import { DatasetFormatError, exampleLength, type Dataset, type DatasetName, type PixelNormalization } from './types.js';

export interface RawSplit {
  readonly count: number;
  readonly inputShape: InputShape;
  /** Label per position (position = index in the source file). */
  readonly labels: Int32Array;
  /** Example id = idOffset + position (default 0: the id is the index in the source file). */
  readonly idOffset?: number;
  /** Writes the example at `position` as NHWC floats into `target` starting at `offset`. */
  writeExample(position: number, target: Float32Array, offset: number): void;
}

export interface DatasetMeta {
  readonly name: DatasetName;
  readonly synthetic: boolean;
  readonly numClasses: number;
  readonly normalization?: PixelNormalization;
}

/** Converts the examples at `positions` (ascending, unique) into a Dataset with ids `idOffset + position`. */
export function materialize(raw: RawSplit, positions: Uint32Array, meta: DatasetMeta): Dataset {
  const length = exampleLength(raw.inputShape);
  const images = new Float32Array(positions.length * length);
  const labels = new Int32Array(positions.length);
  const ids = new Uint32Array(positions.length);
  const idOffset = raw.idOffset ?? 0;
  for (let i = 0; i < positions.length; i++) {
    raw.writeExample(positions[i], images, i * length);
    labels[i] = raw.labels[positions[i]];
    ids[i] = idOffset + positions[i];
  }
  return {
    name: meta.name,
    synthetic: meta.synthetic,
    inputShape: raw.inputShape,
    numClasses: meta.numClasses,
    size: positions.length,
    images,
    labels,
    ids,
    ...(meta.normalization ? { normalization: meta.normalization } : {}),
  };
}

export function checkLabels(labels: ArrayLike<number>, numClasses: number, file: string): void {
  for (let i = 0; i < labels.length; i++) {
    if (labels[i] >= numClasses) {
      throw new DatasetFormatError(file, `label ${labels[i]} at index ${i} is outside 0..${numClasses - 1}`);
    }
  }
}
