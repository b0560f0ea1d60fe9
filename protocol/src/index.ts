export * from './codec.js';
export * from './handshake.js';
export * from './messages.js';
export { ErrorCode } from '../../generated/proto/sparsefleet/v1/envelope.js';
export * from './checkpoint-position.js';

// --- Masks on the wire (issue 13 part 3): message types, codec and wire helpers. ---
export {
  InitialMask,
  LayerMask,
  LayerMaskForm,
  MaskFetchRequest,
  MaskFetchResponse,
  MaskReportCadence,
  MaskReporting,
  MaskSnapshot,
  MaskUpdate,
  MaskUpdateAck,
  MaskUpdateChunk,
} from '../../generated/proto/sparsefleet/v1/mask.js';
export * from './mask-codec.js';
export * from './mask-wire.js';
