export { activeBackend, initBackend, type BackendInfo, type BackendName } from './init.js';
export { registerConv2dGradient } from './conv-gradient.js';
export { registerDepthwiseConv2dGradient } from './depthwise-gradient.js';
export { linearMatMul } from './linear-matmul.js';
export { batchNormTraining, type BatchNormTrainingResult } from './batch-norm.js';
export { maxPool2d, maxPool2x2 } from './max-pool.js';
