// The contract door: the only module tree that touches generated protobuf code. Everything else imports from here.
export * from '../../generated/proto/wire-types.js';
export {
  decodeProto,
  encodeProto,
  isProtoTypeName,
  withDefaults,
  type PartialMessage,
  type ProtoShape,
  type ProtoTypeName,
} from './wire.js';
export * from './codec.js';
export * from './frame-limits.js';
export * from './handshake.js';
export * from './messages.js';
export * from './checkpoint-position.js';

// --- Masks on the wire (issue 13 part 3): codec and wire helpers (the message types come with wire-types above). ---
export * from './mask-codec.js';
export * from './mask-wire.js';
export * from './body-chunks.js';

// --- Forgetting statistics and removal sets (issue 11). ---
export * from './forgetting-wire.js';

// --- Enrollment by URL or QR code (issue 15). ---
export * from './enrollment-url.js';
// --- Device HTTP routes (issue 15): dataset shards for browser agents. ---
export * from './device-http.js';
// --- The time source the agent and the coordinator share (issue 12, virtual time). ---
export * from './clock.js';
