// Training checkpoints: capture a run's complete state as TrainingCheckpoint bytes and restore it exactly.
export { captureCheckpoint } from './capture.js';
export { decodeCheckpoint, readFleetRemoval, restoreCheckpoint } from './restore.js';
export { canonicalJson, configFingerprint } from './fingerprint.js';
export {
  MaskDecodeError,
  decodeMask,
  decodeMaskBitset,
  decodeMaskDeltaVarint,
  deltaVarintSize,
  encodeMask,
  encodeMaskBitset,
  encodeMaskDeltaVarint,
  type EncodedMask,
  type MaskEncoding,
} from './mask-codec.js';
export { FORGETTING_SNAPSHOT_LAYOUT, ForgettingSnapshotDecodeError, decodeForgettingSnapshot, encodeForgettingSnapshot } from './forgetting-codec.js';
export {
  CHECKPOINT_FORMAT_VERSION,
  CheckpointRestoreError,
  type CheckpointPosition,
  type CheckpointSource,
  type CheckpointTarget,
  type RestoredTraining,
  type FleetRemovalCheckpoint,
  type RunLengthBase,
} from './types.js';
