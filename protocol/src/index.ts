export * from './codec.js';
export * from './frame-limits.js';
export * from './handshake.js';
export * from './messages.js';
export { ErrorCode } from '../../generated/proto/sparsefleet/v1/envelope.js';
export * from './checkpoint-position.js';
