// The engine's spec and schema: what a training job may say and what it will cost, for code that plans training
// without running it (the coordinator, operator tools). The TrainConfig schema and its parsing, the names a config
// may use, the mapping to the wire job spec and the memory estimate. Nothing here loads TensorFlow.js; the
// coordinator reaches the engine only through this module.
export {
  ALLOCATION_NAMES,
  BACKEND_NAMES,
  LR_SCHEDULE_NAMES,
  METHOD_NAMES,
  OPTIMIZER_NAMES,
  TrainConfigError,
  formatZodError,
  parseTrainConfig,
  trainConfigSchema,
  type TrainConfig,
  type TrainConfigInput,
} from './train/config.js';
export { jobSpecToTrainConfig, trainConfigToJobSpec } from './train/job-spec.js';
export { estimateTrainingMemory, type MemoryEstimate } from './memory/estimate.js';
export { MODEL_NAMES, type ModelName } from './models/catalog.js';
export { SCHEME_NAMES, type SchemeName } from './sparse/schemes/types.js';
export {
  ACCEPTED_SCHEME_NAMES,
  SCHEME_DESCRIPTORS,
  canonicalSchemeName,
  describeSchemeNames,
  kernelOpUnsupportedReason,
  type SchemeDescriptor,
} from './sparse/schemes/descriptors.js';
export { schemeNameSchema } from './sparse/schemes/name-schema.js';
export { KERNEL_OPS, type KernelOp } from './sparse/schemes/kernel-ops.js';
export { ScheduleValidationError } from './sparse/schedules/schema.js';
/** Starting a job from a stored mask: which methods can, and the layers the mask must match. */
export { INITIAL_MASK_METHODS, acceptsInitialMask } from './sparse/initial-mask.js';
export { maskableLayerLayout, type MaskLayerLayout } from './sparse/mask-layout.js';
/** Where a Fashion-MNIST config without `data.path` reads its files. */
export { FASHION_MNIST_DEFAULT_DIR } from './data/fashion-mnist.js';
export { KERNEL_FILES } from './kernels/variants.js';
/** A job's dataset shard (browser devices fetch it): derived from the coordinator's files, no TensorFlow.js. */
export { DatasetShardError, datasetShardSummary, deriveDatasetShard, shardSelectionOf, type ShardSelection } from './data/shard.js';
export { datasetDirectoryOf } from './data/load.js';
export type { LoadDatasetsSpec } from './data/types.js';
export { datasetSpecOf } from './train/config.js';
/** Federated rounds (issue 18): transport encoding, update validation, aggregation and partitions (pure). */
export * from './federated/pure.js';
/** Seeded randomness (mulberry32), e.g. the coordinator's choice of a round's clients. */
export { createRng, type Rng } from './util/rng.js';
