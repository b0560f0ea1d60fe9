export * from './schema.js';
export * from './run-length.js';
export * from './dst.js';
export * from './granet.js';
export * from './mest.js';
export * from './dsb.js';
export * from './timing.js';
export * from './defaults.js';
