// Moves a model's sparse layers onto the WASM kernels. The top-level Sequential is cut into maximal runs of
// modules the kernels can run (linear, stride-1 conv, ReLU, 2×2 max-pool, flatten); each run holding at least one
// sparse layer becomes a KernelSegment, and its layers switch to compressed storage. Small dense layers (the
// classifier, a 1-channel first conv) join their neighbours so the run needs no layout change in between.
// Sparse layers outside such runs (inside residual blocks, between BatchNorms) run alone as one-op segments when
// the kernels support them: any linear layer, stride-1 convs with odd kernels and 'same' padding (1×1 included),
// and strided 1×1 convs (a subsample, then the stride-1 kernel). Strided k×k convs (k > 1) keep masked-dense compute:
// the kernels run stride 1 only. Every listed layer that stays masked-dense is reported with the reason.
import type { KernelRuntime } from '../../kernels/runtime.js';
import { layerSize } from '../../sparse/types.js';
import { Conv2d, DenseConvCompute, DenseLinearCompute, isSamePadding, Linear, WeightedLayer } from '../layers.js';
import type { LayerCompute } from '../masked-weight.js';
import type { Model } from '../model.js';
import { Flatten, MaxPool2x2, ReLU, Sequential, type Module } from '../module.js';
import type { FormatPreference } from '../storage/compressed-format.js';
import { KernelContext } from './context.js';
import { KernelLayerCompute } from './layer-compute.js';
import { FlattenOp, MaxPoolOp, ReluOp, WeightedOp, type SegmentOp } from './ops.js';
import { KernelSegment } from './segment.js';

export const DEFAULT_JOIN_DENSE_UP_TO = 16384;

export interface KernelPlanOptions {
  readonly runtime: KernelRuntime;
  /** Layers to run sparse, by name, with the format each prefers. */
  readonly sparseLayers: ReadonlyMap<string, FormatPreference>;
  /** Unlisted layers with at most this many weights join a segment, stored in CSR at full density (default 16384). */
  readonly joinDenseUpTo?: number;
}

export interface KernelPlan {
  /** Every segment's ops, e.g. ['flatten', 'fc1+relu', 'fc2+relu', 'fc3']. */
  readonly segments: readonly (readonly string[])[];
  /** Layers run alone, each as a one-op segment behind its LayerCompute (e.g. inside residual blocks). */
  readonly singleLayers: readonly string[];
  /** Layers now in compressed storage on the kernels. */
  readonly kernelLayers: readonly string[];
  /** Listed sparse layers that stay on masked-dense compute (no segment can hold them). */
  readonly maskedDenseLayers: readonly string[];
  /** Why each of maskedDenseLayers stays masked-dense, by layer name. */
  readonly maskedDenseReasons: ReadonlyMap<string, string>;
}

/** Throws if a compressed layer is applied outside its segment. */
const SEGMENT_ONLY: LayerCompute = {
  forward(_x, layer) {
    throw new Error(`${layer.name} is compressed and runs only inside its kernel segment`);
  },
};

type Role = 'sparse' | 'joinable' | 'stateless' | 'barrier';

export function useSparseKernels(model: Model, options: KernelPlanOptions): KernelPlan {
  const top = model.network;
  const sparseNames = [...options.sparseLayers.keys()];
  const context = new KernelContext(options.runtime);
  if (!(top instanceof Sequential)) {
    const kernelLayers: string[] = [];
    const single = compressSingleLayers(model, context, options.sparseLayers, kernelLayers);
    if (single.length > 0) model.useExecutor(top, context);
    return { segments: [], singleLayers: single, kernelLayers, ...maskedDense(model, sparseNames, kernelLayers) };
  }
  const joinLimit = options.joinDenseUpTo ?? DEFAULT_JOIN_DENSE_UP_TO;
  const roleOf = (module: Module): Role => classify(module, options.sparseLayers, joinLimit);
  const executorModules: Module[] = [];
  const segments: string[][] = [];
  const kernelLayers: string[] = [];
  const modules = top.modules;
  let i = 0;
  while (i < modules.length) {
    if (roleOf(modules[i]) === 'barrier') {
      executorModules.push(modules[i++]);
      continue;
    }
    let end = i;
    while (end < modules.length && roleOf(modules[end]) !== 'barrier') end++;
    const run = modules.slice(i, end);
    if (!run.some((module) => roleOf(module) === 'sparse')) {
      executorModules.push(...run);
    } else {
      const ops = buildOps(run, context, options.sparseLayers, kernelLayers);
      executorModules.push(new KernelSegment(context, run, ops, i > 0));
      segments.push(ops.map((op) => op.label));
    }
    i = end;
  }
  const single = compressSingleLayers(model, context, options.sparseLayers, kernelLayers);
  const [only] = executorModules;
  if (executorModules.length === 1 && single.length === 0 && only instanceof KernelSegment) context.wholeNetwork = only;
  if (segments.length > 0 || single.length > 0) model.useExecutor(segments.length > 0 ? new Sequential(executorModules) : top, context);
  return { segments, singleLayers: single, kernelLayers, ...maskedDense(model, sparseNames, kernelLayers) };
}

function maskedDense(
  model: Model,
  sparseNames: readonly string[],
  kernelLayers: readonly string[],
): Pick<KernelPlan, 'maskedDenseLayers' | 'maskedDenseReasons'> {
  const maskedDenseLayers = sparseNames.filter((name) => !kernelLayers.includes(name));
  const reasons = new Map<string, string>();
  for (const weight of model.maskedWeights) {
    if (maskedDenseLayers.includes(weight.name)) reasons.set(weight.name, kernelSupport(weight.layerCompute, weight.shape).reason ?? 'no kernel segment holds it');
  }
  return { maskedDenseLayers, maskedDenseReasons: reasons };
}

/**
 * Whether the kernels can run a layer with this masked-dense compute alone (a one-op segment), with the subsample
 * stride of a strided 1×1 conv, or why not.
 */
export function kernelSupport(compute: LayerCompute, shape: { readonly kh: number; readonly kw: number }): { stride?: number; reason?: string } {
  if (compute instanceof DenseLinearCompute) return { stride: 1 };
  if (!(compute instanceof DenseConvCompute)) return { reason: 'its compute is not masked-dense tfjs' };
  const { kh, kw } = shape;
  if (kh % 2 === 0 || kw % 2 === 0) return { reason: `${kh}×${kw} kernel: the sparse conv kernels take odd kernel sizes only` };
  if (kh === 1 && kw === 1) {
    // A 1×1 window reads no padding: only 'same' (pads nothing) or 0 keep the output size ⌈H/s⌉ the subsample gives.
    if (compute.padding !== 'same' && compute.padding !== 0) return { reason: `1×1 conv with padding ${compute.padding}: not supported by the sparse kernels` };
    return { stride: compute.stride };
  }
  if (kh !== kw || !isSamePadding(compute.padding, kh)) return { reason: `${kh}×${kw} conv with padding ${compute.padding}: the sparse conv kernels pad (k − 1)/2` };
  if (compute.stride !== 1) return { reason: `stride-${compute.stride} ${kh}×${kw} conv: the sparse conv kernels run stride 1 (1×1 convs excepted)` };
  return { stride: 1 };
}

/** Sparse layers outside every segment that a one-op segment can run (see kernelSupport). */
function compressSingleLayers(
  model: Model,
  context: KernelContext,
  sparse: ReadonlyMap<string, FormatPreference>,
  kernelLayers: string[],
): string[] {
  const single: string[] = [];
  for (const weight of model.maskedWeights) {
    const preference = sparse.get(weight.name);
    if (preference === undefined || kernelLayers.includes(weight.name)) continue;
    const { stride } = kernelSupport(weight.layerCompute, weight.shape);
    if (stride === undefined) continue;
    const binding = context.bind(weight, weight.compress(preference));
    weight.setCompute(new KernelLayerCompute(context, binding, stride));
    kernelLayers.push(weight.name);
    single.push(weight.name);
  }
  return single;
}

function classify(module: Module, sparse: ReadonlyMap<string, FormatPreference>, joinLimit: number): Role {
  if (module instanceof ReLU || module instanceof MaxPool2x2 || module instanceof Flatten) return 'stateless';
  if (!(module instanceof Linear) && !(module instanceof Conv2d)) return 'barrier';
  if (module instanceof Conv2d && kernelSupport(module.weight.layerCompute, module.weight.shape).stride !== 1) return 'barrier';
  if (sparse.has(module.weight.name)) return 'sparse';
  return layerSize(module.weight.shape) <= joinLimit ? 'joinable' : 'barrier';
}

const FULL_CSR: FormatPreference = { kind: 'csr' };

function buildOps(
  run: readonly Module[],
  context: KernelContext,
  sparse: ReadonlyMap<string, FormatPreference>,
  kernelLayers: string[],
): SegmentOp[] {
  const ops: SegmentOp[] = [];
  for (let k = 0; k < run.length; k++) {
    const module = run[k];
    if (module instanceof WeightedLayer) {
      const weight = module.weight;
      const storage = weight.compress(sparse.get(weight.name) ?? FULL_CSR);
      weight.setCompute(SEGMENT_ONLY);
      kernelLayers.push(weight.name);
      const fuseRelu = run[k + 1] instanceof ReLU;
      ops.push(new WeightedOp(context.bind(weight, storage), module.bias, fuseRelu, fuseRelu && run[k + 2] instanceof MaxPool2x2));
      if (fuseRelu) k++;
    } else if (module instanceof ReLU) ops.push(new ReluOp(run[k + 1] instanceof MaxPool2x2));
    else if (module instanceof MaxPool2x2) ops.push(new MaxPoolOp(run[k - 1] instanceof ReLU));
    else if (module instanceof Flatten) ops.push(new FlattenOp());
    else throw new Error(`a kernel segment cannot run ${module.constructor.name}`);
  }
  return ops;
}
