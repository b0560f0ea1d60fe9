// Data sets for the engine: loaders (Fashion-MNIST IDX, CIFAR-10 binary, synthetic fallback), deterministic
// batching with MEST-style CIFAR augmentation, subsets and fleet sharding.
export {
  DATASET_NAMES,
  DatasetFormatError,
  exampleLength,
  isDatasetName,
  type Batch,
  type Dataset,
  type DatasetName,
  type LoadDatasetsSpec,
  type LoadedDatasets,
  type PixelNormalization,
} from './types.js';
export { loadDatasets, DEFAULT_SYNTHETIC_TEST_SIZE, DEFAULT_SYNTHETIC_TRAIN_SIZE } from './load.js';
export { syntheticDataset, type SyntheticDatasetOptions } from './synthetic.js';
export { batches, type BatchOptions, type BatchPlan } from './batches.js';
export { augmentExample, padValuesFor, CIFAR_AUGMENT_PADDING, type CropFlip } from './augment.js';
export { datasetSubset, selectPositions, shardOf, type SelectionOptions } from './subset.js';
export { parseIdx, type IdxArray } from './idx.js';
export { FASHION_MNIST_DEFAULT_DIR, FASHION_MNIST_FILES } from './fashion-mnist.js';
export {
  CIFAR10_DEFAULT_DIR,
  CIFAR10_MEAN,
  CIFAR10_STD,
  CIFAR10_TEST_FILE,
  CIFAR10_TRAIN_FILES,
  parseCifar10Records,
} from './cifar10.js';
