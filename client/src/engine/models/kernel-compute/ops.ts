// The layers a kernel segment runs, on batch-innermost activations in kernel memory. Each forward returns a record
// whose backward turns dY into dX (only when asked) and the op's parameter gradients. Buffers live in the pass
// region of the kernel arena; a backward may overwrite the dY it is given.
import type * as tf from '@tensorflow/tfjs';
import { createConvKernel } from '../../kernels/conv.js';
import { buildCsr } from '../../kernels/formats/csr.js';
import type { KernelRuntime, WasmF32, WasmI32 } from '../../kernels/runtime.js';
import { layerSize, rowLength } from '../../sparse/types.js';
import { activationSize, describeActivation, type ActivationShape } from './activations.js';
import type { LayerBinding } from './binding.js';
import { assignFromKernel, transientValues } from './tensor-values.js';

export interface PassState {
  readonly rt: KernelRuntime;
  readonly batch: number;
}

export interface OpBackward {
  readonly dx: WasmF32 | undefined;
  /** Σ of each channel's row of dx, when the op had it for free (max-pool); the op before may use it for its bias. */
  readonly dxRowSums?: WasmF32;
  /** One buffer per tensor of `inputs()`, in that order (in the pass region: read before the next forward). */
  readonly grads: WasmF32[];
}

export interface OpRecord {
  readonly output: WasmF32;
  readonly shape: ActivationShape;
  /** The values of `inputs()` in kernel memory, in that order, as this pass read them. */
  readonly values: readonly WasmF32[];
  /** dyRowSums: the next op's dxRowSums for this dy, if it gave them. */
  backward(dy: WasmF32, needInput: boolean, dyRowSums?: WasmF32): OpBackward;
}

export interface SegmentOp {
  readonly label: string;
  /** The tfjs tensors the op reads (weight values, bias), read at every call (variables can be re-created). */
  inputs(): tf.Tensor[];
  forward(state: PassState, x: WasmF32, shape: ActivationShape): OpRecord;
  /** Copies values updated in place in kernel memory (a record's `values`, same order) back into `inputs()`. */
  commitValues(rt: KernelRuntime, values: readonly WasmF32[]): void;
}

/** A compressed linear or conv layer with its bias, output gate and (fused) ReLU. */
export class WeightedOp implements SegmentOp {
  readonly label: string;

  constructor(
    private readonly binding: LayerBinding,
    private readonly bias: tf.Variable | undefined,
    private readonly relu: boolean,
    /** The next op is a max-pool that applies this ReLU's backward with its own (MaxPoolOp's reluInput). */
    private readonly reluBackwardInNext = false,
  ) {
    this.label = `${binding.weight.name}${relu ? '+relu' : ''}`;
  }

  inputs(): tf.Tensor[] {
    const weight = this.binding.weight.variable;
    return this.bias === undefined ? [weight] : [weight, this.bias];
  }

  forward(state: PassState, x: WasmF32, shape: ActivationShape): OpRecord {
    const { rt, batch } = state;
    const weight = this.binding.weight;
    const layer = weight.shape;
    const isLinear = layer.kind === 'linear';
    if (shape.channels !== layer.in || (isLinear && shape.height * shape.width !== 1) || (!isLinear && shape.flat)) {
      throw new RangeError(`${weight.name}: input ${describeActivation(shape)} does not fit ${layer.kind} ${layer.out}x${layer.in}`);
    }
    this.binding.refreshValues(rt);
    const output: ActivationShape = isLinear
      ? { channels: layer.out, height: 1, width: 1, flat: true }
      : { channels: layer.out, height: shape.height, width: shape.width, flat: false };
    const geometry = { height: shape.height, width: shape.width, batch };
    const len = shape.height * shape.width * batch;
    const y = rt.allocF32(activationSize(output, batch));
    const compute = this.binding.kernel;
    const gateValues = weight.outputGate;
    const live = compute.kind === 'linear' ? openRows(rt, gateValues) : undefined;
    const gate = gateValues === null ? undefined : rt.uploadF32(gateValues);
    const bias = this.bias === undefined ? undefined : rt.uploadF32(transientValues(this.bias));
    let fused = false;
    // A direct conv's zero-padded input, made once for the forward and the weight gradient (it lives in the pass region).
    const padded = compute.kind === 'conv' ? compute.kernel.padInput(x, geometry) : undefined;
    if (compute.kind === 'linear') compute.kernel.forward(x, y, batch, live);
    // A conv kernel may add the bias and apply the ReLU row by row while the rows are in cache (not under a gate).
    else fused = compute.kernel.forward(x, y, geometry, gate === undefined && (bias !== undefined || this.relu) ? { bias, relu: this.relu } : undefined, padded);
    if (!fused && (gate !== undefined || bias !== undefined || this.relu)) rt.raw.rowAffine(layer.out, len, gate?.ptr ?? 0, bias?.ptr ?? 0, this.relu, y.ptr);
    return {
      output: y,
      shape: output,
      values: bias === undefined ? [compute.kernel.values] : [compute.kernel.values, bias],
      backward: (dy, needInput, dyRowSums) => {
        if (this.relu && !this.reluBackwardInNext) rt.raw.reluBackward(dy.length, y.ptr, dy.ptr);
        let dBias: WasmF32 | undefined;
        // The sums describe dy after this op's ReLU backward only when the next op applied it.
        if (bias !== undefined && dyRowSums !== undefined && (!this.relu || this.reluBackwardInNext) && dyRowSums.length === layer.out) dBias = dyRowSums;
        else if (bias !== undefined) {
          dBias = rt.allocF32(layer.out);
          rt.raw.rowSums(layer.out, len, dy.ptr, dBias.ptr);
        }
        if (gate !== undefined) rt.raw.scaleRows(layer.out, len, gate.ptr, dy.ptr);
        const dValues = rt.allocF32(weight.activeCount);
        if (compute.kind === 'linear') compute.kernel.backwardWeight(x, dy, dValues, batch, live);
        else compute.kernel.backwardWeight(x, dy, dValues, geometry, padded);
        if (weight.denseGradientRequested) {
          weight.provideDenseGradient(isLinear ? denseLinearGradient(rt, x, dy, layer.out, layer.in, batch) : denseConvGradient(rt, x, dy, weight, geometry));
        }
        let dx: WasmF32 | undefined;
        if (needInput) {
          dx = rt.allocF32(layer.in * len);
          if (compute.kind === 'linear') compute.kernel.backwardData(dy, dx, batch, live);
          else compute.kernel.backwardData(dy, dx, geometry);
        }
        const grads = [dValues];
        if (dBias !== undefined) grads.push(dBias);
        return { dx, grads };
      },
    };
  }

  commitValues(rt: KernelRuntime, values: readonly WasmF32[]): void {
    if (values[0] !== this.binding.kernel.kernel.values) throw new Error(`${this.binding.weight.name}: values are not this layer's kernel mirror`);
    this.binding.adoptMirror(rt);
    if (this.bias !== undefined) assignFromKernel(rt, this.bias, values[1]);
  }
}


/**
 * The rows an output gate keeps open (gate ≠ 0), in kernel memory, when it closes any: VRPGE's sampled channel
 * gates close most rows of its dense layers, and a kernel may skip the closed ones (their output is multiplied by 0
 * and their dY zeroed).
 */
function openRows(rt: KernelRuntime, gate: Float32Array | null): WasmI32 | undefined {
  if (gate === null || !gate.includes(0)) return undefined;
  const rows: number[] = [];
  gate.forEach((value, row) => {
    if (value !== 0) rows.push(row);
  });
  return rt.uploadI32(rows);
}

/** dW[o][i] = Σ_m dY[o][m]·X[i][m] at every position (canonical [out][in]), for steps that need it. */
function denseLinearGradient(rt: KernelRuntime, x: WasmF32, dy: WasmF32, rows: number, cols: number, batch: number): Float32Array {
  return rt.scratch(() => {
    const rowIds = rt.uploadI32(Int32Array.from({ length: rows }, (_, i) => i));
    const colIds = rt.uploadI32(Int32Array.from({ length: cols }, (_, i) => i));
    const out = rt.allocF32(rows * cols);
    rt.raw.denseDots(rows, cols, batch, dy.ptr, rowIds.ptr, x.ptr, colIds.ptr, out.ptr);
    return rt.read(out);
  });
}

/** The conv weight gradient at every position: the SDDMM over an all-active CSR, whose value order is canonical. */
function denseConvGradient(
  rt: KernelRuntime,
  x: WasmF32,
  dy: WasmF32,
  weight: LayerBinding['weight'],
  geometry: { height: number; width: number; batch: number },
): Float32Array {
  const shape = weight.shape;
  const size = layerSize(shape);
  return rt.scratch(() => {
    const full = buildCsr(new Float32Array(size), new Uint8Array(size).fill(1), shape.out, rowLength(shape));
    const kernel = createConvKernel(rt, { kind: 'csr', matrix: full }, { kh: shape.kh, kw: shape.kw });
    const out = rt.allocF32(size);
    kernel.backwardWeight(x, dy, out, geometry);
    return rt.read(out);
  });
}

export class ReluOp implements SegmentOp {
  readonly label = 'relu';

  /** backwardInNext: the next op is a max-pool that applies this ReLU's backward with its own. */
  constructor(private readonly backwardInNext = false) {}

  inputs(): tf.Tensor[] {
    return [];
  }

  commitValues(): void {
    // No parameters.
  }

  forward(state: PassState, x: WasmF32, shape: ActivationShape): OpRecord {
    const { rt } = state;
    const y = rt.allocF32(x.length);
    rt.f32(y).set(rt.f32(x));
    rt.raw.rowAffine(1, y.length, 0, 0, true, y.ptr);
    return {
      output: y,
      shape,
      values: [],
      backward: (dy, _needInput, dyRowSums) => {
        if (!this.backwardInNext) rt.raw.reluBackward(dy.length, y.ptr, dy.ptr);
        return { dx: dy, grads: [], ...(this.backwardInNext && dyRowSums !== undefined ? { dxRowSums: dyRowSums } : {}) };
      },
    };
  }
}

/**
 * 2×2 max-pool, stride 2, 'valid'. With `reluInput` (the previous op ends in a ReLU, which then skips its own
 * backward), the backward also applies the ReLU's backward: one pass over the pool's input gradient instead of two.
 */
export class MaxPoolOp implements SegmentOp {
  readonly label = 'maxpool';

  constructor(private readonly reluInput = false) {}

  inputs(): tf.Tensor[] {
    return [];
  }

  commitValues(): void {
    // No parameters.
  }

  forward(state: PassState, x: WasmF32, shape: ActivationShape): OpRecord {
    const { rt, batch } = state;
    if (shape.flat) throw new RangeError(`max-pool needs an image, got ${describeActivation(shape)}`);
    const output: ActivationShape = { channels: shape.channels, height: shape.height >> 1, width: shape.width >> 1, flat: false };
    const y = rt.allocF32(activationSize(output, batch));
    // One byte per output value: which window position the backward routes to (and whether the maximum is > 0).
    const at = rt.allocI32(Math.ceil(y.length / 4));
    rt.raw.maxPool2x2Argmax(shape.channels, shape.height, shape.width, batch, x.ptr, y.ptr, at.ptr);
    return {
      output: y,
      shape: output,
      values: [],
      backward: (dy, needInput) => {
        if (!needInput) return { dx: undefined, grads: [] };
        const dx = rt.allocF32(x.length);
        const dxRowSums = rt.allocF32(shape.channels);
        rt.raw.maxPool2x2BackwardAt(shape.channels, shape.height, shape.width, batch, at.ptr, dy.ptr, dx.ptr, this.reluInput, dxRowSums.ptr);
        return { dx, grads: [], dxRowSums };
      },
    };
  }
}

/** NHWC flatten: feature (h·W + w)·C + c, i.e. rows [C][H·W] of B floats become rows [H·W][C]. */
export class FlattenOp implements SegmentOp {
  readonly label = 'flatten';

  inputs(): tf.Tensor[] {
    return [];
  }

  commitValues(): void {
    // No parameters.
  }

  forward(state: PassState, x: WasmF32, shape: ActivationShape): OpRecord {
    const { rt, batch } = state;
    const pixels = shape.height * shape.width;
    const output: ActivationShape = { channels: shape.channels * pixels, height: 1, width: 1, flat: true };
    if (shape.channels === 1 || pixels === 1) {
      return { output: x, shape: output, values: [], backward: (dy) => ({ dx: dy, grads: [] }) };
    }
    const y = rt.allocF32(x.length);
    rt.raw.swapOuterAxes(shape.channels, pixels, batch, x.ptr, y.ptr);
    return {
      output: y,
      shape: output,
      values: [],
      backward: (dy, needInput) => {
        if (!needInput) return { dx: undefined, grads: [] };
        const dx = rt.allocF32(dy.length);
        rt.raw.swapOuterAxes(pixels, shape.channels, batch, dy.ptr, dx.ptr);
        return { dx, grads: [] };
      },
    };
  }
}
