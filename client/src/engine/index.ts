// The sparse-training engine as a library: backend selection, models, data, sparsity (schemes, allocation,
// schedules, methods), the trainer and its config. No networking.
export * from './backend/index.js';
export * from './models/index.js';
export * from './data/index.js';
export * from './forgetting/index.js';
export * from './sparse/types.js';
export { SCHEME_NAMES, type SchemeName, type SparsityScheme } from './sparse/schemes/types.js';
export { describeSchemeNames } from './sparse/schemes/descriptors.js';
export { createScheme } from './sparse/schemes/registry.js';
export { allocateDensities, type AllocationRequest } from './sparse/allocation/index.js';
export * from './sparse/schedules/index.js';
export type * from './sparse/methods/types.js';
export { createMethod, type CreateMethodOptions } from './sparse/methods/registry.js';
export * from './train/index.js';
export { createRng, fnv1a, type Rng } from './util/rng.js';
export * from './checkpoint/index.js';
export * from './federated/index.js';
