// Entry point for the trainer: the train and test sets a job asked for, limited and sharded, or synthetic data of
// the same shape (with the reason) when the files are missing. Corrupt files are errors, never a silent fallback.
import type { InputShape } from '../models/catalog.js';
import { CIFAR10_CLASSES, CIFAR10_DEFAULT_DIR, CIFAR10_NORMALIZATION, readCifar10 } from './cifar10.js';
import { CIFAR100_DEFAULT_DIR, CIFAR100_NORMALIZATION, cifar100Classes, readCifar100 } from './cifar100.js';
import { splitIdentity, type DatasetIdentity } from './identity.js';
import { FASHION_MNIST_CLASSES, FASHION_MNIST_DEFAULT_DIR, readFashionMnist } from './fashion-mnist.js';
import { materialize, type RawSplit } from './source.js';
import { selectPositions } from './subset.js';
import { syntheticSource } from './synthetic.js';
import { TINY_IMAGENET_CLASSES, TINY_IMAGENET_DEFAULT_DIR, TINY_IMAGENET_NORMALIZATION, readTinyImagenet } from './tiny-imagenet.js';
import {
  DATASET_INFO,
  DATASET_NAMES,
  isDatasetName,
  NOMINAL_TRAIN_SIZE,
  type DatasetName,
  type LoadDatasetsSpec,
  type LoadedDatasets,
  type PixelNormalization,
} from './types.js';

/** Sizes of synthetic sets (requested or fallback) when no limit is given; full-size stand-ins would waste memory. */
export const DEFAULT_SYNTHETIC_TRAIN_SIZE = NOMINAL_TRAIN_SIZE.synthetic;
export const DEFAULT_SYNTHETIC_TEST_SIZE = DATASET_INFO.synthetic.testSize;

const FASHION_MNIST_SHAPE: InputShape = DATASET_INFO['fashion-mnist'].inputShape;
const CIFAR_SHAPE: InputShape = DATASET_INFO.cifar10.inputShape;
const TINY_IMAGENET_SHAPE: InputShape = DATASET_INFO['tiny-imagenet'].inputShape;
const IMAGENET_SHAPE: InputShape = DATASET_INFO['synthetic-imagenet'].inputShape;

/** Where each file-backed data set is read from when a spec gives no `path`. */
const DEFAULT_DIRECTORIES: Readonly<Partial<Record<DatasetName, string>>> = {
  'fashion-mnist': FASHION_MNIST_DEFAULT_DIR,
  cifar10: CIFAR10_DEFAULT_DIR,
  cifar100: CIFAR100_DEFAULT_DIR,
  'tiny-imagenet': TINY_IMAGENET_DEFAULT_DIR,
};

/** The directory `spec`'s files are read from; undefined for generated data sets. */
export function datasetDirectoryOf(spec: Pick<LoadDatasetsSpec, 'name' | 'path'>): string | undefined {
  const fallback = DEFAULT_DIRECTORIES[spec.name];
  return fallback === undefined ? undefined : spec.path || fallback;
}

interface Sources {
  readonly train: RawSplit;
  readonly test: RawSplit;
  readonly numClasses: number;
  readonly synthetic: boolean;
  readonly normalization?: PixelNormalization;
  readonly fallbackReason?: string;
}

export interface LoadOptions {
  /**
   * Also compute the identity of the full training split (`LoadedDatasets.trainIdentity`, see ./identity.ts). It
   * reads every training example once, so ask only when the run reports statistics or applies a removal set.
   */
  readonly identity?: boolean;
}

export async function loadDatasets(spec: LoadDatasetsSpec, options: LoadOptions = {}): Promise<LoadedDatasets> {
  const name = checkSpec(spec);
  const sources = await readSources(name, spec);
  const meta = {
    name,
    synthetic: sources.synthetic,
    numClasses: sources.numClasses,
    ...(sources.normalization ? { normalization: sources.normalization } : {}),
  };
  const trainPositions = selectPositions(sources.train.labels, sources.numClasses, {
    limit: spec.trainLimit,
    seed: spec.seed,
    purpose: 'train',
    shardIndex: spec.shardIndex,
    shardCount: spec.shardCount,
  });
  const testPositions = selectPositions(sources.test.labels, sources.numClasses, {
    limit: spec.testLimit,
    seed: spec.seed,
    purpose: 'test',
  });
  // One split at a time: Tiny-ImageNet reads its JPEGs here.
  const train = await materialize(sources.train, trainPositions, meta);
  const test = await materialize(sources.test, testPositions, meta);
  return {
    train,
    test,
    ...(sources.fallbackReason ? { fallbackReason: sources.fallbackReason } : {}),
    ...(options.identity ? { trainIdentity: await splitIdentity(name, sources.train) } : {}),
  };
}

/**
 * The identity of the training split `spec` names, as `loadDatasets(spec, { identity: true })` would compute it:
 * limits and shards do not change it (it is about the full split); for synthetic data (requested or standing in for
 * missing files) it depends on the seed and `trainLimit`, which decide what is generated.
 */
export async function datasetIdentityOf(spec: LoadDatasetsSpec): Promise<DatasetIdentity> {
  const name = checkSpec(spec);
  const sources = await readSources(name, spec);
  return splitIdentity(name, sources.train);
}

function checkSpec(spec: LoadDatasetsSpec): DatasetName {
  const name: string = spec.name;
  if (!isDatasetName(name)) throw new RangeError(`unknown data set '${name}' (known: ${DATASET_NAMES.join(', ')})`);
  if (!Number.isInteger(spec.seed)) throw new RangeError(`data seed must be an integer, got ${spec.seed}`);
  if (spec.cifar100Labels !== undefined && spec.cifar100Labels !== 'fine' && spec.cifar100Labels !== 'coarse') {
    throw new RangeError(`cifar100Labels must be 'fine' or 'coarse', got '${String(spec.cifar100Labels)}'`);
  }
  return name;
}

async function readSources(name: DatasetName, spec: LoadDatasetsSpec): Promise<Sources> {
  switch (name) {
    case 'synthetic':
      return syntheticSources(spec, spec.inputShape ?? FASHION_MNIST_SHAPE, spec.numClasses ?? FASHION_MNIST_CLASSES);
    case 'synthetic-imagenet':
      return syntheticSources(
        spec,
        spec.inputShape ?? IMAGENET_SHAPE,
        spec.numClasses ?? DATASET_INFO['synthetic-imagenet'].numClasses,
      );
    case 'fashion-mnist': {
      const read = await readFashionMnist(datasetDirectoryOf(spec)!);
      if ('missing' in read) {
        return fallback(spec, FASHION_MNIST_SHAPE, FASHION_MNIST_CLASSES, `Fashion-MNIST file not found: ${read.missing}`);
      }
      return { ...read, numClasses: FASHION_MNIST_CLASSES, synthetic: false };
    }
    case 'cifar10': {
      const read = await readCifar10(datasetDirectoryOf(spec)!);
      if ('missing' in read) {
        return fallback(spec, CIFAR_SHAPE, CIFAR10_CLASSES, `CIFAR-10 file not found: ${read.missing}`);
      }
      return { ...read, numClasses: CIFAR10_CLASSES, synthetic: false, normalization: CIFAR10_NORMALIZATION };
    }
    case 'cifar100': {
      const labels = spec.cifar100Labels ?? 'fine';
      const read = await readCifar100(datasetDirectoryOf(spec)!, labels);
      if ('missing' in read) {
        return fallback(spec, CIFAR_SHAPE, cifar100Classes(labels), `CIFAR-100 file not found: ${read.missing}`);
      }
      return { ...read, numClasses: cifar100Classes(labels), synthetic: false, normalization: CIFAR100_NORMALIZATION };
    }
    case 'tiny-imagenet': {
      const read = await readTinyImagenet(datasetDirectoryOf(spec)!);
      if ('missing' in read) {
        return fallback(spec, TINY_IMAGENET_SHAPE, TINY_IMAGENET_CLASSES, `Tiny-ImageNet file not found: ${read.missing}`);
      }
      return {
        train: read.train,
        test: read.test,
        numClasses: read.numClasses,
        synthetic: false,
        normalization: TINY_IMAGENET_NORMALIZATION,
      };
    }
  }
}

function fallback(spec: LoadDatasetsSpec, shape: InputShape, numClasses: number, missing: string): Sources {
  const sources = syntheticSources(spec, shape, numClasses);
  const { height, width, channels } = shape;
  return {
    ...sources,
    fallbackReason:
      `${missing}; using synthetic data instead (${height}×${width}×${channels}, ${numClasses} classes, ` +
      `${sources.train.count} train / ${sources.test.count} test examples)`,
  };
}

function syntheticSources(spec: LoadDatasetsSpec, inputShape: InputShape, numClasses: number): Sources {
  const base = { inputShape, numClasses, seed: spec.seed };
  return {
    train: syntheticSource({ ...base, split: 'train' }, spec.trainLimit || DEFAULT_SYNTHETIC_TRAIN_SIZE),
    test: syntheticSource({ ...base, split: 'test' }, spec.testLimit || DEFAULT_SYNTHETIC_TEST_SIZE),
    numClasses,
    synthetic: true,
  };
}
