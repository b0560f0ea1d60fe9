// Data sets for the engine: loaders (Fashion-MNIST IDX, CIFAR-10/100 binary, Tiny-ImageNet folders, synthetic
// stand-ins including ImageNet-shaped ones), compact example storage (bytes, normalised per batch), deterministic
// batching with the seeds' augmentation (pad 4, random crop, horizontal flip), subsets and fleet sharding.
export {
  DATASET_INFO,
  DATASET_NAMES,
  DatasetFormatError,
  datasetInfo,
  exampleLength,
  isDatasetName,
  NOMINAL_TRAIN_SIZE,
  type Batch,
  type Cifar100LabelKind,
  type Dataset,
  type DatasetInfo,
  type DatasetName,
  type LoadDatasetsSpec,
  type LoadedDatasets,
  type PixelNormalization,
} from './types.js';
export {
  byteDecodeTable,
  byteStore,
  floatStore,
  generatedStore,
  type ByteExampleStore,
  type ExampleStore,
  type ExampleStoreKind,
} from './store.js';
export { decodeExamples } from './source.js';
export { nodeDataFiles, useDataFiles, type DataFiles } from './files.js';
export { loadDatasets, datasetDirectoryOf, datasetIdentityOf, DEFAULT_SYNTHETIC_TEST_SIZE, DEFAULT_SYNTHETIC_TRAIN_SIZE, type LoadOptions } from './load.js';
export {
  DATASET_IDENTITY_TAG,
  DatasetMismatchError,
  describeDatasetIdentity,
  splitIdentity,
  type DatasetIdentity,
} from './identity.js';
export {
  MAX_TEMPLATE_VALUES,
  resolveSyntheticShape,
  SYNTHETIC_SHAPES,
  syntheticDataset,
  type SyntheticDatasetOptions,
  type SyntheticShapeName,
} from './synthetic.js';
export { batches, type BatchOptions, type BatchPlan } from './batches.js';
export { augmentExample, drawCropFlip, padValuesFor, CIFAR_AUGMENT_PADDING, type CropFlip } from './augment.js';
export { datasetSubset, selectPositions, shardOf, type SelectionOptions } from './subset.js';
export { parseIdx, type IdxArray } from './idx.js';
export { FASHION_MNIST_DEFAULT_DIR, FASHION_MNIST_FILES } from './fashion-mnist.js';
export {
  CIFAR10_DEFAULT_DIR,
  CIFAR10_MEAN,
  CIFAR10_NORMALIZATION,
  CIFAR10_STD,
  CIFAR10_TEST_FILE,
  CIFAR10_TRAIN_FILES,
  parseCifar10Records,
} from './cifar10.js';
export {
  CIFAR100_COARSE_CLASSES,
  CIFAR100_DEFAULT_DIR,
  CIFAR100_FINE_CLASSES,
  CIFAR100_MEAN,
  CIFAR100_NORMALIZATION,
  CIFAR100_STD,
  CIFAR100_TEST_FILE,
  CIFAR100_TRAIN_FILE,
  parseCifar100Records,
} from './cifar100.js';
export {
  TINY_IMAGENET_CLASSES,
  TINY_IMAGENET_DEFAULT_DIR,
  TINY_IMAGENET_FILES,
  TINY_IMAGENET_MEAN,
  TINY_IMAGENET_NORMALIZATION,
  TINY_IMAGENET_SIDE,
  TINY_IMAGENET_STD,
} from './tiny-imagenet.js';
export {
  DatasetShardError,
  datasetShardSummary,
  decodeDatasetShard,
  deriveDatasetShard,
  encodeDatasetShard,
  sameShardSelection,
  shardSelectionOf,
  type ShardSelection,
} from './shard.js';
