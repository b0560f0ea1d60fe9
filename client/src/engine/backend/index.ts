export { activeBackend, initBackend, type BackendInfo, type BackendName } from './init.js';
export { registerConv2dGradient } from './conv-gradient.js';
export { linearMatMul } from './linear-matmul.js';
export { batchNormTraining, type BatchNormTrainingResult } from './batch-norm.js';
export { maxPool2x2 } from './max-pool.js';
