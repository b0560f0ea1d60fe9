// Measured model-state memory (not an estimate): what this process holds per weight between and during steps,
// next to what the same model would hold if every layer were stored dense. Counted per masked layer:
//   weights    dense: the tf-layout variable; compressed: the nnz values variable + their mirror in kernel memory
//   gradients  one gradient per trainable value, as produced by each step (dense: N, compressed: nnz)
//   optimizer  slots per trainable value (SGD momentum: 1, Adam: 2; 0 before the first step)
//   index      dense: the 0/1 mask (1 byte/weight) and its float mask tensor; compressed: the active set plus the
//              kernels' forward and transposed index structures (in kernel memory, and the conv kernels' JS-side
//              entry lists and offset caches)
// Biases and BatchNorm parameters count the same way (dense) on both sides; BatchNorm running statistics count as
// weights. The process-level figures (kernel heap, tfjs bytes, RSS) are read as they are now.
import * as tf from '@tensorflow/tfjs';
import { layerSize } from '../sparse/types.js';
import type { MaskedWeight } from './masked-weight.js';
import type { Model } from './model.js';
import { CompressedStorage } from './storage/compressed-storage.js';
import { DenseStorage } from './storage/dense-storage.js';

const FLOAT = 4;

export interface StateBytes {
  readonly weightBytes: number;
  readonly gradientBytes: number;
  readonly optimizerBytes: number;
  readonly indexBytes: number;
  readonly totalBytes: number;
}

export interface LayerStateMeasurement extends StateBytes {
  readonly layer: string;
  readonly storage: 'dense' | 'compressed';
  readonly active: number;
  readonly total: number;
  /** The same layer stored dense with the same optimizer (no mask). */
  readonly denseTotalBytes: number;
}

export interface ModelStateMeasurement extends StateBytes {
  readonly layers: readonly LayerStateMeasurement[];
  /** The whole model stored dense with the same optimizer. */
  readonly denseTotalBytes: number;
  /** totalBytes / denseTotalBytes. */
  readonly ratio: number;
  /** Linear memory of the kernel module (0 without kernels); it never shrinks. */
  readonly kernelHeapBytes: number;
  readonly tfjsBytes: number;
  readonly rssBytes: number;
}

export interface MeasureOptions {
  /** Optimizer slots per trainable value (SGD with momentum: 1, without: 0, Adam: 2). */
  readonly slotsPerValue: number;
}

export function measureModelState(model: Model, options: MeasureOptions): ModelStateMeasurement {
  const slots = options.slotsPerValue;
  const kernels = model.kernelContext;
  const bindingOf = new Map((kernels?.layers ?? []).map((binding) => [binding.weight, binding] as const));
  const layers = model.maskedWeights.map((weight) => {
    const binding = bindingOf.get(weight);
    return measureLayer(weight, slots, binding?.kernelBytes ?? 0, binding?.hostBytes ?? 0);
  });
  const masked = new Set(model.maskedWeights.map((weight) => weight.variable));
  let otherValues = 0;
  for (const parameter of model.parameters) if (!masked.has(parameter.variable)) otherValues += parameter.variable.size;
  const buffers = model.buffers.reduce((sum, buffer) => sum + buffer.size, 0) * FLOAT;
  const other = denseBytes(otherValues, slots);
  const sum = (pick: (bytes: StateBytes) => number): number => layers.reduce((total, layer) => total + pick(layer), pick(other));
  const weightBytes = sum((b) => b.weightBytes) + buffers;
  const gradientBytes = sum((b) => b.gradientBytes);
  const optimizerBytes = sum((b) => b.optimizerBytes);
  const indexBytes = sum((b) => b.indexBytes);
  const totalBytes = weightBytes + gradientBytes + optimizerBytes + indexBytes;
  const denseTotalBytes = layers.reduce((total, layer) => total + layer.denseTotalBytes, other.totalBytes + buffers);
  return {
    layers,
    weightBytes,
    gradientBytes,
    optimizerBytes,
    indexBytes,
    totalBytes,
    denseTotalBytes,
    ratio: denseTotalBytes === 0 ? 1 : totalBytes / denseTotalBytes,
    kernelHeapBytes: kernels?.heapBytes ?? 0,
    tfjsBytes: tf.memory().numBytes,
    rssBytes: residentSetBytes(),
  };
}

/** Slots per trainable value of one of the engine's optimizers (undefined slots: none created yet). */
export function slotsPerValue(kind: 'sgd' | 'adam', momentum: number): number {
  if (kind === 'adam') return 2;
  return momentum > 0 ? 1 : 0;
}

function measureLayer(weight: MaskedWeight, slots: number, kernelBytes: number, hostKernelBytes: number): LayerStateMeasurement {
  const total = layerSize(weight.shape);
  const active = weight.activeCount;
  const dense = denseBytes(total, slots);
  const base = { layer: weight.name, active, total, denseTotalBytes: dense.totalBytes };
  const storage = weight.storage;
  if (storage instanceof DenseStorage) {
    const maskTensor = storage.maskTensorOrNull === null ? 0 : FLOAT * total;
    return { ...base, storage: 'dense', ...withTotal(dense.weightBytes, dense.gradientBytes, dense.optimizerBytes, total + maskTensor) };
  }
  const values = weight.variable.size;
  const mirror = FLOAT * values;
  // kernelBytes holds the mirror and the kernel's index structures; the storage keeps its active set (a bitset or
  // sorted indices); direct conv kernels also keep entry lists and per-geometry offsets in JS memory.
  const bookkeeping = storage instanceof CompressedStorage ? storage.bookkeepingBytes : 0;
  const index = bookkeeping + Math.max(0, kernelBytes - mirror) + hostKernelBytes;
  return {
    ...base,
    storage: 'compressed',
    ...withTotal(FLOAT * values + mirror, FLOAT * values, FLOAT * values * slots, index),
  };
}

function denseBytes(values: number, slots: number): StateBytes {
  return withTotal(FLOAT * values, FLOAT * values, FLOAT * values * slots, 0);
}

function withTotal(weightBytes: number, gradientBytes: number, optimizerBytes: number, indexBytes: number): StateBytes {
  return { weightBytes, gradientBytes, optimizerBytes, indexBytes, totalBytes: weightBytes + gradientBytes + optimizerBytes + indexBytes };
}

function residentSetBytes(): number {
  const proc = (globalThis as { process?: { memoryUsage?: { rss?: () => number } } }).process;
  return proc?.memoryUsage?.rss?.() ?? 0;
}
