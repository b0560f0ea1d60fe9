export * from './catalog.js';
export { buildModel, type BuildModelOptions } from './builders.js';
export { Model } from './model.js';
export { MaskedWeight, type LayerCompute } from './masked-weight.js';
export { DenseConvCompute, DenseLinearCompute } from './layers.js';
export type { Parameter, OptimizerSlots } from './parameter.js';
export { canonicalToTf, tfToCanonical, tfWeightShape } from './layout.js';
