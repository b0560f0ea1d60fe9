// The modelled engine's checkpoints: real TrainingCheckpoint messages that carry the training position (step, epoch,
// batches of the epoch consumed, examples seen), the config fingerprint and no tensors. The coordinator reads only
// the position (protocol/src/checkpoint-position.ts) and the agent only hashes and uploads the bytes, so both handle
// them as any other. Their own format version makes the real engine refuse them with a readable error, should a
// job move from a modelled device to a real one (`--real N`); the modelled engine resumes from either kind.
import { decodeProto, encodeProto, type TrainingCheckpoint } from '../../../../protocol/src/index.js';
import { configFingerprint } from '../../engine/checkpoint/fingerprint.js';
import type { TrainConfig } from '../../engine/train/config.js';

export const MODELLED_CHECKPOINT_FORMAT_VERSION = 900;

export interface ModelledPosition {
  readonly step: number;
  readonly epoch: number;
  readonly stepInEpoch: number;
  readonly examplesSeen: number;
}

export class ModelledCheckpointError extends Error {
  constructor(message: string) {
    super(`cannot resume: ${message}`);
    this.name = 'ModelledCheckpointError';
  }
}

export function encodeModelledCheckpoint(config: TrainConfig, position: ModelledPosition): Uint8Array {
  const message: TrainingCheckpoint = {
    formatVersion: MODELLED_CHECKPOINT_FORMAT_VERSION,
    step: position.step,
    epoch: position.epoch,
    stepInEpoch: position.stepInEpoch,
    weights: [],
    masks: [],
    optimizerSlots: [],
    methodState: [],
    buffers: [],
    forgettingSnapshot: new Uint8Array(0),
    maskUpdates: 0,
    removedExampleIds: [],
    configFingerprint: configFingerprint(config),
    examplesSeen: position.examplesSeen,
  };
  return encodeProto('sparsefleet.v1.TrainingCheckpoint', message);
}

/** The position a checkpoint (modelled or real) holds; refuses one made for another config. */
export function readModelledCheckpoint(bytes: Uint8Array, config: TrainConfig): ModelledPosition {
  let checkpoint: TrainingCheckpoint;
  try {
    checkpoint = decodeProto('sparsefleet.v1.TrainingCheckpoint', bytes);
  } catch (error) {
    throw new ModelledCheckpointError(`not a training checkpoint (${error instanceof Error ? error.message : String(error)})`);
  }
  const expected = configFingerprint(config);
  if (checkpoint.configFingerprint !== expected) {
    throw new ModelledCheckpointError(`it was made for a different training config (fingerprint ${checkpoint.configFingerprint || 'none'}, this run ${expected})`);
  }
  return {
    step: Number(checkpoint.step),
    epoch: checkpoint.epoch,
    stepInEpoch: checkpoint.stepInEpoch,
    examplesSeen: Number(checkpoint.examplesSeen),
  };
}
