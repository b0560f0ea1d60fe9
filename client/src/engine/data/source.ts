// A parsed split before selection: labels, and a way to take the examples a job keeps. Selecting (limits, shards)
// before copying keeps memory to what is kept, and what is kept stays compact: raw bytes for real images (CIFAR-10's
// 50k training images are 154 MB as bytes, 614 MB as float32), nothing for synthetic data (generated per batch).
import type { InputShape } from '../models/catalog.js';
import { byteDecodeTable, byteStore, type ByteExampleStore, type ExampleStore } from './store.js';
import { DatasetFormatError, exampleLength, type Dataset, type DatasetName, type PixelNormalization } from './types.js';

export interface RawSplit {
  readonly count: number;
  readonly inputShape: InputShape;
  /** Label per position (position = index in the source file). */
  readonly labels: Int32Array;
  /** Example id = idOffset + position (default 0: the id is the index in the source file). */
  readonly idOffset?: number;
  /** The examples at `positions` (ascending, unique), in that order. May read files (Tiny-ImageNet's JPEGs). */
  select(positions: Uint32Array): ExampleStore | Promise<ExampleStore>;
}

/** A split whose selection needs no I/O (in-memory files, synthetic data). */
export interface SyncRawSplit extends RawSplit {
  select(positions: Uint32Array): ExampleStore;
}

export interface DatasetMeta {
  readonly name: DatasetName;
  readonly synthetic: boolean;
  readonly numClasses: number;
  readonly normalization?: PixelNormalization;
}

/** The examples at `positions` (ascending, unique) as a Dataset with ids `idOffset + position`. */
export async function materialize(raw: RawSplit, positions: Uint32Array, meta: DatasetMeta): Promise<Dataset> {
  return datasetOf(raw, positions, await raw.select(positions), meta);
}

/** Builds the Dataset around a store already selected from `raw` at `positions`. */
export function datasetOf(raw: RawSplit, positions: Uint32Array, examples: ExampleStore, meta: DatasetMeta): Dataset {
  if (examples.count !== positions.length) {
    throw new RangeError(`store holds ${examples.count} examples for ${positions.length} positions`);
  }
  const labels = new Int32Array(positions.length);
  const ids = new Uint32Array(positions.length);
  const idOffset = raw.idOffset ?? 0;
  for (let i = 0; i < positions.length; i++) {
    labels[i] = raw.labels[positions[i]];
    ids[i] = idOffset + positions[i];
  }
  return {
    name: meta.name,
    synthetic: meta.synthetic,
    inputShape: raw.inputShape,
    numClasses: meta.numClasses,
    size: positions.length,
    examples,
    labels,
    ids,
    ...(meta.normalization ? { normalization: meta.normalization } : {}),
  };
}

/**
 * A split of 8-bit images held in memory in some file layout: `copyPixels(position, target, offset)` writes the
 * example's raw bytes NHWC. Selection copies the kept examples into one compact NHWC byte array; values reach the
 * model through byteDecodeTable(channels, normalization).
 */
export function byteSplit(options: {
  readonly inputShape: InputShape;
  readonly labels: Int32Array;
  readonly normalization?: PixelNormalization;
  readonly idOffset?: number;
  readonly copyPixels: (position: number, target: Uint8Array, offset: number) => void;
}): SyncRawSplit {
  const { inputShape, labels, normalization, copyPixels } = options;
  const length = exampleLength(inputShape);
  const table = byteDecodeTable(inputShape.channels, normalization);
  return {
    count: labels.length,
    inputShape,
    labels,
    ...(options.idOffset === undefined ? {} : { idOffset: options.idOffset }),
    select(positions): ByteExampleStore {
      const pixels = new Uint8Array(positions.length * length);
      for (let i = 0; i < positions.length; i++) copyPixels(positions[i], pixels, i * length);
      return byteStore(pixels, length, inputShape.channels, table);
    },
  };
}

/** Writes the examples at `indices` of a store (all when absent) as one NHWC Float32Array. */
export function decodeExamples(store: ExampleStore, indices?: ArrayLike<number>): Float32Array {
  const count = indices ? indices.length : store.count;
  const out = new Float32Array(count * store.exampleLength);
  for (let i = 0; i < count; i++) store.write(indices ? indices[i] : i, out, i * store.exampleLength);
  return out;
}

export function checkLabels(labels: ArrayLike<number>, numClasses: number, file: string): void {
  for (let i = 0; i < labels.length; i++) {
    if (labels[i] >= numClasses) {
      throw new DatasetFormatError(file, `label ${labels[i]} at index ${i} is outside 0..${numClasses - 1}`);
    }
  }
}
