// restoreCheckpoint: puts a run back into the state captureCheckpoint recorded. Call it on a freshly built run
// (same config) after method.initialize; it refuses a checkpoint of another config or model with a clear error.
import * as tf from '@tensorflow/tfjs';
import { ForgettingCodecError, TrainingCheckpoint, decodeProto, readRemovalSet, type FleetRemovalState } from '../../../../protocol/src/index.js';
import type { Tensor } from '../../../../protocol/src/index.js';
import { ForgettingTracker } from '../forgetting/tracker.js';
import { canonicalToTf } from '../models/layout.js';
import type { MaskedWeight } from '../models/masked-weight.js';
import { layerSize } from '../sparse/types.js';
import { canonicalShape } from './capture.js';
import { decodeForgettingSnapshot } from './forgetting-codec.js';
import { configFingerprint } from './fingerprint.js';
import { decodeMask, type MaskEncoding } from './mask-codec.js';
import { GRADIENT_PREFIX, bufferName, gradientName, slotName } from './state-names.js';
import { readDenseTensor } from './tensor-codec.js';
import { CHECKPOINT_FORMAT_VERSION, CheckpointRestoreError, type CheckpointTarget, type FleetRemovalCheckpoint, type RestoredTraining } from './types.js';

/** Decodes checkpoint bytes and checks the format version; throws CheckpointRestoreError. */
export function decodeCheckpoint(bytes: Uint8Array): TrainingCheckpoint {
  let checkpoint: TrainingCheckpoint;
  try {
    checkpoint = decodeProto('sparsefleet.v1.TrainingCheckpoint', bytes);
  } catch (error) {
    throw new CheckpointRestoreError(`not a training checkpoint (${error instanceof Error ? error.message : String(error)})`);
  }
  if (checkpoint.formatVersion !== CHECKPOINT_FORMAT_VERSION) {
    throw new CheckpointRestoreError(`format version ${checkpoint.formatVersion} is not supported (expected ${CHECKPOINT_FORMAT_VERSION})`);
  }
  return checkpoint;
}

export function restoreCheckpoint(bytes: Uint8Array, target: CheckpointTarget): RestoredTraining {
  const checkpoint = decodeCheckpoint(bytes);
  const expected = configFingerprint(target.config);
  if (checkpoint.configFingerprint !== expected) {
    throw new CheckpointRestoreError(
      `it was made for a different training config (fingerprint ${checkpoint.configFingerprint || 'none'}, this run ${expected})`,
    );
  }
  const { model, optimizer, method } = target;
  try {
    const masks = byName(checkpoint.masks, 'mask');
    const weights = byName(checkpoint.weights, 'weight');
    const slots = byName(checkpoint.optimizerSlots, 'optimizer slot');
    const buffers = byName(checkpoint.buffers, 'buffer');
    for (const weight of model.maskedWeights) restoreMask(weight, take(masks, weight.name, 'mask'));
    const masked = new Map(model.maskedWeights.map((weight) => [weight.variable, weight]));
    for (const parameter of model.parameters) {
      // Read the variable after the masks: compressed storage re-creates it when the active count changes.
      const { variable } = parameter;
      const layer = masked.get(variable);
      const shape = layer ? canonicalShape(layer) : variable.shape;
      const values = denseOfShape(take(weights, parameter.name, 'weight'), shape);
      if (layer) layer.writeWeights(values);
      else assign(variable, values);
      const slotValues = optimizer.slotNames.map((slot) => slots.get(slotName(parameter.name, slot)));
      if (slotValues.every((entry) => entry !== undefined)) {
        const restored = slotValues.map((entry) => denseOfShape(entry, shape));
        optimizer.writeSlots(variable, layer ? restored.map((slot) => layer.storage.fromCanonical(slot)) : restored);
        optimizer.slotNames.forEach((slot) => slots.delete(slotName(parameter.name, slot)));
      } else if (slotValues.some((entry) => entry !== undefined)) {
        throw new CheckpointRestoreError(`optimizer slots of ${parameter.name} are incomplete for ${optimizer.kind}`);
      }
    }
    optimizer.restoreIterations(checkpoint.step);
    for (const buffer of model.buffers) assign(buffer, denseOfShape(take(buffers, bufferName(buffer), 'buffer'), buffer.shape));
    for (const weight of model.maskedWeights) restoreGradient(weight, buffers.get(gradientName(weight.name)));
    for (const name of buffers.keys()) if (name.startsWith(GRADIENT_PREFIX)) buffers.delete(name);
    rejectLeftovers(masks, 'mask');
    rejectLeftovers(weights, 'weight');
    rejectLeftovers(slots, 'optimizer slot');
    rejectLeftovers(buffers, 'buffer');
    restoreMethodState(checkpoint, target);
  } catch (error) {
    if (error instanceof CheckpointRestoreError) throw error;
    throw new CheckpointRestoreError(error instanceof Error ? error.message : String(error));
  }
  return {
    position: {
      step: checkpoint.step,
      epoch: checkpoint.epoch,
      stepInEpoch: checkpoint.stepInEpoch,
      maskUpdates: checkpoint.maskUpdates,
    },
    tracker: ForgettingTracker.fromSnapshot(decodeForgettingSnapshot(checkpoint.forgettingSnapshot)),
    removedExampleIds: checkpoint.removedExampleIds.length === 0 ? undefined : new Set(checkpoint.removedExampleIds),
    examplesSeen: Number(checkpoint.examplesSeen),
    ...(checkpoint.fleetRemoval === undefined ? {} : { fleetRemoval: readFleetRemoval(checkpoint.fleetRemoval) }),
  };

  function restoreMethodState(saved: TrainingCheckpoint, run: CheckpointTarget): void {
    const state: Record<string, Float32Array> = {};
    for (const tensor of saved.methodState) state[tensor.name] = readDenseTensor(tensor);
    if (method.importState) method.importState(state, run.methodContext);
    else if (saved.methodState.length > 0) throw new CheckpointRestoreError(`method '${method.name}' keeps no state, the checkpoint has some`);
  }
}

/** A checkpoint's fleet removal set with what the run length was computed from; throws CheckpointRestoreError. */
export function readFleetRemoval(state: FleetRemovalState): FleetRemovalCheckpoint {
  if (state.set === undefined) throw new CheckpointRestoreError('its fleet removal state has no set');
  try {
    const { removedIds, version, dataset } = readRemovalSet(state.set);
    return {
      set: { removedIds, version, dataset },
      from: { step: Number(state.fromStep), epoch: state.fromEpoch },
      initialLength: { stepsPerEpoch: state.initialStepsPerEpoch, totalSteps: Number(state.initialTotalSteps) },
    };
  } catch (error) {
    if (error instanceof ForgettingCodecError) throw new CheckpointRestoreError(`its fleet removal set is corrupt (${error.message})`);
    throw error;
  }
}

function byName(tensors: readonly Tensor[], kind: string): Map<string, Tensor> {
  const map = new Map<string, Tensor>();
  for (const tensor of tensors) {
    if (map.has(tensor.name)) throw new CheckpointRestoreError(`${kind} '${tensor.name}' appears twice`);
    map.set(tensor.name, tensor);
  }
  return map;
}

function take(tensors: Map<string, Tensor>, name: string, kind: string): Tensor {
  const tensor = tensors.get(name);
  if (tensor === undefined) throw new CheckpointRestoreError(`the checkpoint has no ${kind} '${name}' (a different model?)`);
  tensors.delete(name);
  return tensor;
}

function rejectLeftovers(tensors: Map<string, Tensor>, kind: string): void {
  const names = [...tensors.keys()];
  if (names.length > 0) throw new CheckpointRestoreError(`this model has no ${kind} ${names.map((n) => `'${n}'`).join(', ')} (a different model?)`);
}

function denseOfShape(tensor: Tensor, shape: readonly number[]): Float32Array {
  if (tensor.shape.join('x') !== shape.join('x')) {
    throw new CheckpointRestoreError(`'${tensor.name}' has shape [${tensor.shape.join(', ')}], this model needs [${shape.join(', ')}]`);
  }
  return readDenseTensor(tensor);
}

function assign(variable: tf.Variable, values: Float32Array): void {
  tf.tidy(() => variable.assign(tf.tensor(values, variable.shape, 'float32')));
}

function restoreMask(weight: MaskedWeight, tensor: Tensor): void {
  const shape = canonicalShape(weight);
  if (tensor.shape.join('x') !== shape.join('x')) {
    throw new CheckpointRestoreError(`mask '${weight.name}' has shape [${tensor.shape.join(', ')}], this model needs [${shape.join(', ')}]`);
  }
  const mask = decodeMask({ encoding: tensor.encoding as MaskEncoding, data: tensor.data }, layerSize(weight.shape));
  // 'keep': the weights are written right after, so nothing may be zeroed as "grown".
  weight.setMask(mask, { grownInit: 'keep' });
}

function restoreGradient(weight: MaskedWeight, tensor: Tensor | undefined): void {
  if (tensor === undefined) {
    weight.clearGradient();
    return;
  }
  const canonical = denseOfShape(tensor, canonicalShape(weight));
  tf.tidy(() => weight.captureGradient(tf.tensor(canonicalToTf(weight.shape, canonical), weight.variable.shape, 'float32')));
}
