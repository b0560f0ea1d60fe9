// The shapes every data-set consumer sees. Plain typed arrays only: the trainer turns batches into tensors, the
// coordinator reads ids, and nothing here depends on tfjs or on Node.
import type { InputShape } from '../models/catalog.js';
import type { DatasetIdentity } from '../../../../protocol/src/index.js';
import type { ExampleStore } from './store.js';

/**
 * `synthetic` is Fashion-MNIST-shaped unless the loader is given a shape; `synthetic-imagenet` is 224×224×3 with
 * 1000 classes (for step-time benchmarks where no ImageNet data exists), generated per batch.
 */
export type DatasetName = 'fashion-mnist' | 'cifar10' | 'cifar100' | 'tiny-imagenet' | 'synthetic' | 'synthetic-imagenet';

export const DATASET_NAMES: readonly DatasetName[] = [
  'fashion-mnist',
  'cifar10',
  'cifar100',
  'tiny-imagenet',
  'synthetic',
  'synthetic-imagenet',
];

/** Which CIFAR-100 label a record gives: the 100 fine classes (default) or the 20 superclasses. */
export type Cifar100LabelKind = 'fine' | 'coarse';

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
  /**
   * The examples, `size` of them, each `height * width * channels` values NHWC once written: raw bytes for real
   * data (normalised when a batch is built), generated on demand for synthetic data. See ./store.ts.
   */
  readonly examples: ExampleStore;
  readonly labels: Int32Array;
  /** Stable example ids: the index in the source file (train and test id spaces are separate). */
  readonly ids: Uint32Array;
  /**
   * How raw 0..255 pixels are mapped to model inputs, when it is not a plain `/255`. Augmentation pads with the
   * value of a black pixel, like torchvision's RandomCrop(padding) before Normalize.
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
  /** Only for `name: 'synthetic'` (default 28×28×1) and `'synthetic-imagenet'` (default 224×224×3). */
  readonly inputShape?: InputShape;
  /** Only for the synthetic names: defaults 10 (`synthetic`) and 1000 (`synthetic-imagenet`). */
  readonly numClasses?: number;
  /** Only for `name: 'cifar100'`: fine labels (100 classes, default) or coarse (20 superclasses). */
  readonly cifar100Labels?: Cifar100LabelKind;
}

export interface LoadedDatasets {
  readonly train: Dataset;
  readonly test: Dataset;
  /** Set when real files were requested but synthetic data was produced instead; says which file was missing. */
  readonly fallbackReason?: string;
  /** Identity of the full training split (before limits and shards); only when the loader was asked for it. */
  readonly trainIdentity?: DatasetIdentity;
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

/** What a data set name gives before limits and sharding, without reading any file. */
export interface DatasetInfo {
  readonly inputShape: InputShape;
  /** The default label set's class count (CIFAR-100: fine labels; synthetic: the loader's default). */
  readonly numClasses: number;
  /** Published split sizes; synthetic: the loader's default sizes. */
  readonly trainSize: number;
  readonly testSize: number;
  /**
   * How examples are kept once loaded: `bytes` = 1 byte per value (real data; the files are read whole first,
   * except Tiny-ImageNet, which decodes one JPEG at a time), `generated` = computed per batch, nothing kept.
   */
  readonly storage: 'bytes' | 'generated';
}

const SYNTHETIC_SIZES = { trainSize: 4096, testSize: 1024, storage: 'generated' } as const;

export const DATASET_INFO: Readonly<Record<DatasetName, DatasetInfo>> = {
  'fashion-mnist': {
    inputShape: { height: 28, width: 28, channels: 1 },
    numClasses: 10,
    trainSize: 60_000,
    testSize: 10_000,
    storage: 'bytes',
  },
  cifar10: { inputShape: { height: 32, width: 32, channels: 3 }, numClasses: 10, trainSize: 50_000, testSize: 10_000, storage: 'bytes' },
  cifar100: { inputShape: { height: 32, width: 32, channels: 3 }, numClasses: 100, trainSize: 50_000, testSize: 10_000, storage: 'bytes' },
  // Test split = the labelled `val/` folder (the `test/` folder has no labels).
  'tiny-imagenet': {
    inputShape: { height: 64, width: 64, channels: 3 },
    numClasses: 200,
    trainSize: 100_000,
    testSize: 10_000,
    storage: 'bytes',
  },
  synthetic: { inputShape: { height: 28, width: 28, channels: 1 }, numClasses: 10, ...SYNTHETIC_SIZES },
  'synthetic-imagenet': { inputShape: { height: 224, width: 224, channels: 3 }, numClasses: 1000, ...SYNTHETIC_SIZES },
};

export function datasetInfo(name: DatasetName): DatasetInfo {
  return DATASET_INFO[name];
}

/** Training-set size of each source before limits and sharding (synthetic: the loader's default size). */
export const NOMINAL_TRAIN_SIZE: Readonly<Record<DatasetName, number>> = Object.fromEntries(
  DATASET_NAMES.map((name) => [name, DATASET_INFO[name].trainSize]),
) as Record<DatasetName, number>;
