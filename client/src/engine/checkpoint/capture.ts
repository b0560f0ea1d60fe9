// captureCheckpoint: the complete state of a run as TrainingCheckpoint bytes. Reads only (no RNG draws, no
// writes), so taking a checkpoint never changes what the run computes next.
import { TrainingCheckpoint, encodeProto, removalSetMessage } from '../../../../protocol/src/index.js';
import type { FleetRemovalState, Tensor } from '../../../../protocol/src/index.js';
import type { MaskedWeight } from '../models/masked-weight.js';
import { encodeForgettingSnapshot } from './forgetting-codec.js';
import { configFingerprint } from './fingerprint.js';
import { encodeMask } from './mask-codec.js';
import { bufferName, gradientName, slotName } from './state-names.js';
import { denseTensor as rawDenseTensor, withPositiveZeros } from './tensor-codec.js';
import { CHECKPOINT_FORMAT_VERSION, type CheckpointSource, type FleetRemovalCheckpoint } from './types.js';

export function captureCheckpoint(source: CheckpointSource): Uint8Array {
  const { model, optimizer, position } = source;
  const weights: Tensor[] = [];
  const optimizerSlots: Tensor[] = [];
  const masked = new Map(model.maskedWeights.map((weight) => [weight.variable, weight]));
  for (const parameter of model.parameters) {
    const { variable } = parameter;
    const layer = masked.get(variable);
    // Masked weights and their slots are kept canonical and dense, whatever the layer's storage (dense tf layout
    // or compressed values), so a checkpoint resumes on a device that computes the layer differently.
    const shape = layer ? canonicalShape(layer) : variable.shape;
    weights.push(denseTensor(parameter.name, shape, layer ? layer.readWeights() : readVariable(variable)));
    optimizer.readSlots(variable)?.forEach((values, i) => {
      const slot = layer ? layer.storage.toCanonical(values) : values;
      optimizerSlots.push(denseTensor(slotName(parameter.name, optimizer.slotNames[i]), shape, slot));
    });
  }
  const buffers = model.buffers.map((buffer) => denseTensor(bufferName(buffer), buffer.shape, readVariable(buffer)));
  for (const weight of model.maskedWeights) {
    const gradient = weight.readGradient();
    if (gradient !== undefined) buffers.push(denseTensor(gradientName(weight.name), canonicalShape(weight), gradient));
  }
  const methodState = Object.entries(source.method.exportState?.() ?? {}).map(([name, values]) => rawDenseTensor(name, [values.length], values));
  const message: TrainingCheckpoint = {
    formatVersion: CHECKPOINT_FORMAT_VERSION,
    step: position.step,
    epoch: position.epoch,
    stepInEpoch: position.stepInEpoch,
    weights,
    masks: model.maskedWeights.map(maskTensor),
    optimizerSlots,
    methodState,
    buffers,
    forgettingSnapshot: encodeForgettingSnapshot(source.tracker.snapshot()),
    maskUpdates: position.maskUpdates,
    removedExampleIds: source.removedExampleIds === undefined ? [] : [...source.removedExampleIds].sort((a, b) => a - b),
    configFingerprint: configFingerprint(source.config),
    examplesSeen: source.examplesSeen ?? 0,
    ...(source.fleetRemoval === undefined ? {} : { fleetRemoval: fleetRemovalState(source.fleetRemoval) }),
  };
  return encodeProto('sparsefleet.v1.TrainingCheckpoint', message);
}

function fleetRemovalState(state: FleetRemovalCheckpoint): FleetRemovalState {
  const { set, from, initialLength } = state;
  return {
    set: removalSetMessage({ id: '', version: set.version, dataset: set.dataset, removedIds: set.removedIds }),
    fromStep: from.step,
    fromEpoch: from.epoch,
    initialStepsPerEpoch: initialLength.stepsPerEpoch,
    initialTotalSteps: initialLength.totalSteps,
  };
}

/** Weights, slots, buffers and gradients: numeric values, stored with canonical zeros. */
function denseTensor(name: string, shape: readonly number[], values: Float32Array): Tensor {
  return rawDenseTensor(name, shape, withPositiveZeros(values));
}

function readVariable(variable: { dataSync(): ArrayLike<number> }): Float32Array {
  const values = variable.dataSync();
  if (!(values instanceof Float32Array)) throw new TypeError('checkpoints hold float32 variables only');
  return values;
}

function maskTensor(weight: MaskedWeight): Tensor {
  const { encoding, data } = encodeMask(weight.mask);
  return { name: weight.name, shape: canonicalShape(weight), encoding, data };
}

/** [out, in, kh, kw]: the canonical layout masks and gradients are kept in. */
export function canonicalShape(weight: MaskedWeight): number[] {
  const { out, in: inputs, kh, kw } = weight.shape;
  return [out, inputs, kh, kw];
}
