export * from './csr.js';
export * from './block4.js';
export * from './shuffled-block.js';
export * from './channel.js';
export * from './pattern.js';
export * from './bytes.js';
export * from './entries.js';
export * from './types.js';
