// A pure, deterministic estimate of the memory one training job needs on a device, from its TrainConfig alone
// (network × scheme × density × batch × data). The coordinator compares it with a device's budget before assigning
// the job, so a phone is never handed, say, ResNet-50 with the ImageNet stem at batch 256. It is an estimate of the
// job's own tensors and buffers; the runtime itself (Node/browser, tfjs, the wasm module) is left to the caller's
// headroom.
//
//   model state    = per maskable layer: weights + gradients + optimizer slots of its *active* weights (allocated
//                    densities), + the compressed format's index (bytes per active weight by scheme, see
//                    its descriptor's indexBytesPerActive) and a uint8 mask when sparse,
//                    + the other trainable values (biases, batch-norm γ/β, the seed networks' depthwise convs) with
//                    their gradients and slots, + batch-norm running statistics, + method state (VRPGE keeps one
//                    float64 score per output channel of every gated layer, with its Adam moments);
//   activations    = small models: batch × Σ maskable-layer output values × 4 bytes × 2 (forward values + backward
//                    gradients), + the input batch;
//                    seed networks (models/architectures): batch × 4 bytes × (every op output a training step keeps:
//                    conv, BN (and its normalised input), activation, pool, residual sum, linear — + the largest op
//                    output twice, the gradients a backward step holds), + the input batch;
//   kernel work    = a dense float32 copy of the largest maskable layer, twice (dense materialisation of one
//                    layer's weights and gradient, e.g. for RigL/GraNet growth scoring or a format conversion),
//                    + an im2col-sized buffer of the largest conv layer for one batch, capped at 64 MiB;
//   data set       = see ./dataset-footprint.ts.
import { activeCount, allocateDensities } from '../sparse/allocation/index.js';
import { isSeedNetwork, maskableLayers, networkSummary, type InputShape } from '../models/catalog.js';
import { SCHEME_DESCRIPTORS } from '../sparse/schemes/descriptors.js';
import { layerSize, type MaskableLayerInfo } from '../sparse/types.js';
import type { TrainConfig } from '../train/config.js';
import { datasetFacts, datasetFootprint } from './dataset-footprint.js';
import { layerOutputValues } from './layer-outputs.js';

export interface MemoryEstimate {
  readonly modelStateBytes: number;
  readonly activationBytes: number;
  readonly kernelWorkspaceBytes: number;
  readonly datasetBytes: number;
  readonly totalBytes: number;
}

export interface EstimateInput {
  readonly inputShape: InputShape;
  readonly numClasses: number;
}

const FLOAT_BYTES = 4;
const FLOAT64_BYTES = 8;
const MAX_IM2COL_BYTES = 64 * 1024 * 1024;
/** Small models whose conv layers are followed by batch norm (2 trainable + 2 running values per channel). */
const BATCH_NORM_MODELS = new Set(['resnet20', 'resnet32', 'vgg']);

export function estimateTrainingMemory(config: TrainConfig, input?: EstimateInput): MemoryEstimate {
  const facts = datasetFacts(config.data.name);
  const inputShape = input?.inputShape ?? facts.inputShape;
  const numClasses = input?.numClasses ?? facts.numClasses;
  const layers = maskableLayers(config.model, inputShape, numClasses);
  const densities = allocateDensities({
    layers,
    density: config.density,
    allocation: config.allocation,
    profileYaml: config.profile,
    erkPowerScale: config.erkPowerScale,
  });

  const outputs = layerOutputValues(config.model, layers, inputShape);
  const inputValues = inputShape.height * inputShape.width * inputShape.channels;
  let modelStateBytes: number;
  let activationBytes: number;
  if (isSeedNetwork(config.model)) {
    const summary = networkSummary(config.model, inputShape, numClasses);
    const maskableValues = sum(layers.map((layer) => layerSize(layer.shape)));
    const otherTrainable = summary.parameterCount - maskableValues;
    const runningStatistics = 2 * summary.batchNormChannels;
    modelStateBytes =
      maskedLayerState(config, layers, densities) +
      otherTrainable * FLOAT_BYTES * (2 + optimizerSlots(config)) +
      runningStatistics * FLOAT_BYTES;
    activationBytes = config.batchSize * FLOAT_BYTES * (summary.activationValues + 2 * summary.largestActivation + inputValues);
  } else {
    modelStateBytes = modelState(config, layers, densities);
    activationBytes = config.batchSize * (sum(outputs) * FLOAT_BYTES * 2 + inputValues * FLOAT_BYTES);
  }
  const kernelWorkspaceBytes = kernelWorkspace(layers, outputs, config.batchSize);
  const datasetBytes = datasetFootprint(config.data, inputShape).bytes;
  return {
    modelStateBytes,
    activationBytes,
    kernelWorkspaceBytes,
    datasetBytes,
    totalBytes: modelStateBytes + activationBytes + kernelWorkspaceBytes + datasetBytes,
  };
}

/** Small models: the maskable layers, plus per output channel a bias, or BN's 4 values when the model has BN. */
function modelState(config: TrainConfig, layers: readonly MaskableLayerInfo[], densities: Map<string, number>): number {
  const slots = optimizerSlots(config);
  let bytes = maskedLayerState(config, layers, densities);
  for (const layer of layers) {
    const extraPerChannel = BATCH_NORM_MODELS.has(config.model) && layer.shape.kind === 'conv' ? 4 : 1;
    bytes += layer.shape.out * extraPerChannel * FLOAT_BYTES * (2 + slots);
  }
  return bytes;
}

/** Weights (active ones with their index and mask when sparse), gradients, slots and VRPGE state of the maskable layers. */
function maskedLayerState(config: TrainConfig, layers: readonly MaskableLayerInfo[], densities: Map<string, number>): number {
  const slots = optimizerSlots(config);
  // value + gradient + optimizer slots, per stored weight.
  const perWeight = FLOAT_BYTES * (2 + slots);
  const indexBytes = SCHEME_DESCRIPTORS[config.scheme].indexBytesPerActive;
  let bytes = 0;
  layers.forEach((layer, index) => {
    const size = layerSize(layer.shape);
    const density = densities.get(layer.name) ?? 1;
    if (density >= 1) {
      bytes += size * perWeight;
    } else {
      const active = activeCount(layer.shape, density);
      bytes += active * (perWeight + indexBytes) + size;
    }
    // The classifier (last layer) is never gated.
    if (config.method === 'vrpge' && index < layers.length - 1) bytes += layer.shape.out * FLOAT64_BYTES * 3;
  });
  return bytes;
}

function optimizerSlots(config: TrainConfig): number {
  if (config.optimizer.kind === 'adam') return 2;
  return config.optimizer.momentum > 0 ? 1 : 0;
}

function kernelWorkspace(layers: readonly MaskableLayerInfo[], outputs: readonly number[], batchSize: number): number {
  const largestDense = Math.max(0, ...layers.map((layer) => layerSize(layer.shape)));
  let im2col = 0;
  layers.forEach((layer, index) => {
    if (layer.shape.kind !== 'conv') return;
    const positions = outputs[index] / layer.shape.out;
    const patch = layer.shape.in * layer.shape.kh * layer.shape.kw;
    im2col = Math.max(im2col, batchSize * positions * patch * FLOAT_BYTES);
  });
  return largestDense * FLOAT_BYTES * 2 + Math.min(im2col, MAX_IM2COL_BYTES);
}

function sum(values: readonly number[]): number {
  return values.reduce((total, value) => total + value, 0);
}
