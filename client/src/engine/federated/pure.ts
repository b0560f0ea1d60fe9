// The federated helpers that need no TensorFlow.js: transport encoding, validation, aggregation, partitions. The
// coordinator reaches them through engine/spec.ts.
export type * from './contract.js';
export { FederatedDecodeError } from './byte-io.js';
export { SPARSE_SET_FORMAT_VERSION, decodeSparseSet, encodeSparseSet, sparseSetByteSize } from './sparse-codec.js';
export { CLIENT_UPDATE_FORMAT_VERSION, decodeClientUpdate, encodeClientUpdate } from './update-codec.js';
export { validateUpdate, type ValidateOptions } from './validate.js';
export { aggregateRound, contributionWeight } from './aggregate.js';
export { partitionAll, partitionExamples } from './partition.js';
export { denseValues, maskedDensity } from './tensors.js';
