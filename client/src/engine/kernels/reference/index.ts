export * from './linear.js';
export * from './conv.js';
export * from './simd.js';
