// Entry point for the trainer: the train and test sets a job asked for, limited and sharded, or synthetic data of
// the same shape (with the reason) when the files are missing. Corrupt files are errors, never a silent fallback.
import type { InputShape } from '../models/catalog.js';
import { CIFAR10_CLASSES, CIFAR10_DEFAULT_DIR, CIFAR10_NORMALIZATION, readCifar10 } from './cifar10.js';
import { FASHION_MNIST_CLASSES, FASHION_MNIST_DEFAULT_DIR, readFashionMnist } from './fashion-mnist.js';
import { materialize, type RawSplit } from './source.js';
import { selectPositions } from './subset.js';
import { syntheticSource } from './synthetic.js';
import {
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
export const DEFAULT_SYNTHETIC_TEST_SIZE = 1024;

const FASHION_MNIST_SHAPE: InputShape = { height: 28, width: 28, channels: 1 };
const CIFAR10_SHAPE: InputShape = { height: 32, width: 32, channels: 3 };

interface Sources {
  readonly train: RawSplit;
  readonly test: RawSplit;
  readonly numClasses: number;
  readonly synthetic: boolean;
  readonly normalization?: PixelNormalization;
  readonly fallbackReason?: string;
}

export async function loadDatasets(spec: LoadDatasetsSpec): Promise<LoadedDatasets> {
  const name: string = spec.name;
  if (!isDatasetName(name)) throw new RangeError(`unknown data set '${name}' (known: ${DATASET_NAMES.join(', ')})`);
  if (!Number.isInteger(spec.seed)) throw new RangeError(`data seed must be an integer, got ${spec.seed}`);
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
  return {
    train: materialize(sources.train, trainPositions, meta),
    test: materialize(sources.test, testPositions, meta),
    ...(sources.fallbackReason ? { fallbackReason: sources.fallbackReason } : {}),
  };
}

async function readSources(name: DatasetName, spec: LoadDatasetsSpec): Promise<Sources> {
  switch (name) {
    case 'synthetic':
      return syntheticSources(spec, spec.inputShape ?? FASHION_MNIST_SHAPE, spec.numClasses ?? FASHION_MNIST_CLASSES);
    case 'fashion-mnist': {
      const read = await readFashionMnist(spec.path || FASHION_MNIST_DEFAULT_DIR);
      if ('missing' in read) {
        return fallback(spec, FASHION_MNIST_SHAPE, FASHION_MNIST_CLASSES, `Fashion-MNIST file not found: ${read.missing}`);
      }
      return { ...read, numClasses: FASHION_MNIST_CLASSES, synthetic: false };
    }
    case 'cifar10': {
      const read = await readCifar10(spec.path || CIFAR10_DEFAULT_DIR);
      if ('missing' in read) {
        return fallback(spec, CIFAR10_SHAPE, CIFAR10_CLASSES, `CIFAR-10 file not found: ${read.missing}`);
      }
      return { ...read, numClasses: CIFAR10_CLASSES, synthetic: false, normalization: CIFAR10_NORMALIZATION };
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
