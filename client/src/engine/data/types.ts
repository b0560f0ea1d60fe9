// The shapes every data-set consumer sees. Plain typed arrays only: the trainer turns batches into tensors, the
// coordinator reads ids, and nothing here depends on tfjs or on Node.
import type { InputShape } from '../models/catalog.js';

export type DatasetName = 'fashion-mnist' | 'cifar10' | 'synthetic';

export const DATASET_NAMES: readonly DatasetName[] = ['fashion-mnist', 'cifar10', 'synthetic'];

/** Per-channel affine normalisation that was applied to the pixels: stored = (raw / 255 - mean) / std. */
export interface PixelNormalization {
  readonly mean: readonly number[];
  readonly std: readonly number[];
}

export interface Dataset {
  /** The requested source; a fallback keeps the requested name and sets `synthetic`. */
  readonly name: DatasetName;
  readonly synthetic: boolean;
  readonly inputShape: InputShape;
  readonly numClasses: number;
  readonly size: number;
  /** NHWC, `size * height * width * channels` values. */
  readonly images: Float32Array;
  readonly labels: Int32Array;
  /** Stable example ids: the index in the source file (train and test id spaces are separate). */
  readonly ids: Uint32Array;
  /**
   * How raw 0..255 pixels were mapped to the stored values, when it was not a plain `/255`. Augmentation pads
   * with the stored value of a black pixel, like torchvision's RandomCrop(padding) before Normalize.
   */
  readonly normalization?: PixelNormalization;
}

export interface Batch {
  /** NHWC, `size * height * width * channels` values (a fresh array per batch). */
  readonly x: Float32Array;
  readonly y: Int32Array;
  readonly ids: Uint32Array;
  readonly size: number;
}

export interface LoadDatasetsSpec {
  readonly name: DatasetName;
  /** Directory holding the files; empty or absent = the default location of that data set. */
  readonly path?: string;
  /** Keep at most this many training examples (0 or absent = all); see `selectPositions`. */
  readonly trainLimit?: number;
  readonly testLimit?: number;
  readonly shardIndex?: number;
  /** 0, 1 or absent = no sharding. Applies to the training set only. */
  readonly shardCount?: number;
  readonly seed: number;
  /** Only for `name: 'synthetic'`: defaults 28×28×1 and 10 classes. */
  readonly inputShape?: InputShape;
  readonly numClasses?: number;
}

export interface LoadedDatasets {
  readonly train: Dataset;
  readonly test: Dataset;
  /** Set when real files were requested but synthetic data was produced instead; says which file was missing. */
  readonly fallbackReason?: string;
}

/** Thrown for files that exist but cannot be parsed (bad magic, truncated, inconsistent sizes). */
export class DatasetFormatError extends Error {
  constructor(
    readonly file: string,
    detail: string,
  ) {
    super(`${file}: ${detail}`);
    this.name = 'DatasetFormatError';
  }
}

export function isDatasetName(value: string): value is DatasetName {
  return (DATASET_NAMES as readonly string[]).includes(value);
}

export function exampleLength(shape: InputShape): number {
  return shape.height * shape.width * shape.channels;
}

/** Training-set size of each source before limits and sharding (synthetic: the loader's default size). */
export const NOMINAL_TRAIN_SIZE: Readonly<Record<DatasetName, number>> = {
  'fashion-mnist': 60_000,
  cifar10: 50_000,
  synthetic: 4096,
};
