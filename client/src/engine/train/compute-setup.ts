// Which compute the sparse layers of a run use, and switching them to it. 'sparse-kernels' (the default for sparse
// methods where WebAssembly SIMD exists) moves every layer with a target density below 1 that a kernel segment can
// hold into compressed storage on the WASM kernels; everything else keeps masked-dense compute (the corrected dense
// path: explicit-transpose linear gradients, conv gradients that work on wasm). When the kernels cannot be used the
// run falls back to masked-dense and says why, for the run and for every layer (`layers`: each maskable layer's
// compute and, when it is not on the kernels, the reason; never-masked layers such as depthwise convs as 'dense').
// Without WebAssembly SIMD, 'sparse-kernels' asked for explicitly runs on the scalar build of the kernels.
import { hasWasmSimd } from '../kernels/reference/simd.js';
import { KernelRuntime, type KernelRuntimeInfo } from '../kernels/runtime.js';
import { useSparseKernels, type KernelPlan } from '../models/kernel-compute/plan.js';
import { measureModelState, slotsPerValue, type ModelStateMeasurement } from '../models/memory.js';
import type { Model } from '../models/model.js';
import { formatPreferenceForScheme, type FormatPreference } from '../models/storage/compressed-format.js';
import type { ComputeName, TrainConfig } from './config.js';

/** How one weight layer computed in a run. */
export interface LayerComputeReport {
  readonly layer: string;
  /** 'dense': never masked (a depthwise conv); the others as ComputeName. */
  readonly compute: ComputeName | 'dense';
  /** Why the layer is not on the sparse kernels (absent for layers that are). */
  readonly reason?: string;
}

export interface ComputeSetup {
  /** What the run computes with. */
  readonly compute: ComputeName;
  /** What the config asked for (explicitly or by default). */
  readonly requested: ComputeName;
  /** Why 'sparse-kernels' was requested but not used. */
  readonly fallbackReason?: string;
  readonly plan?: KernelPlan;
  /** The kernel build and thread count the sparse layers run on (with why fewer threads than asked, if so). */
  readonly kernelRuntime?: KernelRuntimeInfo;
  /** Every maskable layer (catalog order), then the never-masked ones. */
  readonly layers: readonly LayerComputeReport[];
}

/** The config's compute, or the default: sparse kernels for sparse methods when WebAssembly SIMD is available. */
export function requestedCompute(config: Pick<TrainConfig, 'compute' | 'method'>, simd = hasWasmSimd()): ComputeName {
  if (config.compute !== undefined) return config.compute;
  return config.method !== 'dense' && simd ? 'sparse-kernels' : 'masked-dense';
}

/**
 * Switches the model's layers to the run's compute; call once the initial masks are set (after method.initialize,
 * and after restoring a checkpoint). `layerDensities` are the allocation's target densities by layer name.
 */
export async function setUpCompute(config: TrainConfig, model: Model, layerDensities: ReadonlyMap<string, number>): Promise<ComputeSetup> {
  const requested = requestedCompute(config);
  const allMaskedDense = (reason: string) => layerReports(model, () => reason);
  if (requested === 'masked-dense') {
    return { compute: 'masked-dense', requested, layers: allMaskedDense('masked-dense compute was requested') };
  }
  const fallback = (reason: string): ComputeSetup => ({
    compute: 'masked-dense',
    requested,
    fallbackReason: reason,
    layers: allMaskedDense(`the run fell back to masked-dense: ${reason}`),
  });
  const preference = formatPreferenceForScheme(config.scheme, config.schedule?.kind === 'dsb' ? config.schedule.blockSize : undefined);
  const sparseLayers = new Map<string, FormatPreference>();
  for (const weight of model.maskedWeights) {
    if ((layerDensities.get(weight.name) ?? 1) < 1) sparseLayers.set(weight.name, preference);
  }
  if (sparseLayers.size === 0) return fallback('no layer has a target density below 1');
  let runtime: KernelRuntime;
  try {
    runtime = await KernelRuntime.create({ threads: config.threads ?? 'auto' });
  } catch (error) {
    return fallback(`the sparse kernels could not be loaded (${error instanceof Error ? error.message : String(error)})`);
  }
  const plan = useSparseKernels(model, { runtime, sparseLayers });
  const kernelRuntime = runtime.describe();
  const onKernels = new Set(plan.kernelLayers);
  const reasonOf = (name: string) => (onKernels.has(name) ? undefined : (plan.maskedDenseReasons.get(name) ?? DENSE_BY_ALLOCATION));
  if (plan.kernelLayers.length === 0) {
    void runtime.close();
    const reasons = [...new Set(plan.maskedDenseReasons.values())].join('; ');
    return { ...fallback(`no sparse layer of '${config.model}' fits a kernel segment (${reasons})`), layers: layerReports(model, reasonOf) };
  }
  return { compute: 'sparse-kernels', requested, plan, kernelRuntime, layers: layerReports(model, reasonOf) };
}

const DENSE_BY_ALLOCATION = 'target density 1: not sparse, stays dense';

/** `reasonOf(layer)`: undefined when the layer runs on the sparse kernels, else why it runs masked-dense. */
function layerReports(model: Model, reasonOf: (layer: string) => string | undefined): LayerComputeReport[] {
  const reports: LayerComputeReport[] = model.maskedWeights.map((weight) => {
    const reason = reasonOf(weight.name);
    return reason === undefined ? { layer: weight.name, compute: 'sparse-kernels' } : { layer: weight.name, compute: 'masked-dense', reason };
  });
  for (const layer of model.unmaskedLayers) reports.push({ layer: layer.name, compute: 'dense', reason: layer.reason });
  return reports;
}

/** The optional TrainResult fields about compute and measured memory. */
export interface ComputeReport {
  readonly compute: ComputeName;
  readonly computeFallbackReason?: string;
  /** Layers that ran on the sparse kernels in compressed storage. */
  readonly kernelLayers: readonly string[];
  /** Per weight layer: sparse kernels, masked-dense (with why) or dense (never masked). */
  readonly layerCompute: readonly LayerComputeReport[];
  readonly modelState: ModelStateMeasurement;
  /** Threads the sparse kernels ran on, and why fewer than requested (absent when no layer ran on the kernels). */
  readonly kernelThreads?: number;
  readonly kernelThreadFallbackReason?: string;
  /** Which build of the kernels ran: 'threads', 'simd' or 'scalar'. */
  readonly kernelVariant?: string;
}

export function computeReport(setup: ComputeSetup, model: Model, config: TrainConfig): ComputeReport {
  return {
    compute: setup.compute,
    ...(setup.fallbackReason === undefined ? {} : { computeFallbackReason: setup.fallbackReason }),
    kernelLayers: setup.plan?.kernelLayers ?? [],
    layerCompute: setup.layers,
    ...(setup.kernelRuntime === undefined ? {} : { kernelThreads: setup.kernelRuntime.threads, kernelVariant: setup.kernelRuntime.variant }),
    ...(setup.kernelRuntime?.threadFallbackReason === undefined ? {} : { kernelThreadFallbackReason: setup.kernelRuntime.threadFallbackReason }),
    modelState: measureModelState(model, { slotsPerValue: slotsPerValue(config.optimizer.kind, config.optimizer.momentum) }),
  };
}
