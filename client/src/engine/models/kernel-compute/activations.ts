// Activations inside a kernel segment are batch-innermost in kernel memory: an image is [C][H][W][B], a feature
// vector [F][B] (an image with H = W = 1). tfjs tensors are batch-outermost (NHWC or [B, F]); the conversion is one
// three-axis reversal in WASM at each border of a segment, never between its layers.
import type * as tf from '@tensorflow/tfjs';
import type { KernelRuntime, WasmF32 } from '../../kernels/runtime.js';
import { evenRanges } from '../../kernels/threads/partition.js';
import { tensorFromKernel } from './tensor-values.js';

export interface ActivationShape {
  readonly channels: number;
  readonly height: number;
  readonly width: number;
  /** A [B, F] tensor on the tfjs side (after Flatten or a linear layer) rather than NHWC. */
  readonly flat: boolean;
}

export function activationSize(shape: ActivationShape, batch: number): number {
  return shape.channels * shape.height * shape.width * batch;
}

export function describeActivation(shape: ActivationShape): string {
  return shape.flat ? `[${shape.channels}]` : `[${shape.height}x${shape.width}x${shape.channels}]`;
}

/** The activation shape of a tfjs tensor ([B, F] or [B, H, W, C]) and its batch size. */
export function activationOfTensor(x: tf.Tensor): { shape: ActivationShape; batch: number } {
  const dims = x.shape as number[];
  if (dims.length === 2) return { shape: { channels: dims[1], height: 1, width: 1, flat: true }, batch: dims[0] };
  if (dims.length === 4) return { shape: { channels: dims[3], height: dims[1], width: dims[2], flat: false }, batch: dims[0] };
  throw new RangeError(`kernel segments take [batch, features] or NHWC tensors, got rank ${x.rank}`);
}

export function tensorShapeOf(shape: ActivationShape, batch: number): number[] {
  return shape.flat ? [batch, shape.channels] : [batch, shape.height, shape.width, shape.channels];
}

/** Copies batch-outermost values into kernel memory as [C][H][W][B] (scratch allocations of the current pass). */
export function toKernelLayout(rt: KernelRuntime, values: Float32Array, shape: ActivationShape, batch: number): WasmF32 {
  const size = activationSize(shape, batch);
  if (values.length !== size) throw new RangeError(`expected ${size} activation values, got ${values.length}`);
  const staged = rt.uploadF32(values);
  if (batch === 1 || shape.channels * shape.height * shape.width === 1) return staged;
  const out = rt.allocF32(size);
  reverseAxes(rt, batch, shape.height * shape.width, shape.channels, staged, out);
  return out;
}

/** A copy of a [C][H][W][B] kernel buffer as batch-outermost values (NHWC or [B, F]). */
export function fromKernelLayout(rt: KernelRuntime, buffer: WasmF32, shape: ActivationShape, batch: number): Float32Array {
  return inBatchOuterLayout(rt, buffer, shape, batch, (values) => rt.read(values));
}

/** The same values as a new tensor of the activation's tfjs shape (one copy into the backend where it allows). */
export function tensorFromKernelLayout(rt: KernelRuntime, buffer: WasmF32, shape: ActivationShape, batch: number): tf.Tensor {
  return inBatchOuterLayout(rt, buffer, shape, batch, (values) => tensorFromKernel(rt, values, tensorShapeOf(shape, batch)));
}

/** Hands `take` the buffer in batch-outermost order: itself when the orders agree, else a scratch reversal. */
function inBatchOuterLayout<T>(rt: KernelRuntime, buffer: WasmF32, shape: ActivationShape, batch: number, take: (values: WasmF32) => T): T {
  if (batch === 1 || shape.channels * shape.height * shape.width === 1) return take(buffer);
  return rt.scratch(() => {
    const out = rt.allocF32(buffer.length);
    reverseAxes(rt, shape.channels, shape.height * shape.width, batch, buffer, out);
    return take(out);
  });
}

/** dst[k][j][i] = src[i][j][k] for src of shape [d0][d1][d2], split by k over the kernel threads when large. */
function reverseAxes(rt: KernelRuntime, d0: number, d1: number, d2: number, src: WasmF32, dst: WasmF32): void {
  rt.parallel(
    'reverse3Part',
    rt.slices(evenRanges(d2, rt.parts, 4), d0 * d1 * d2).map(([k0, k1]) => [d0, d1, d2, k0, k1, src.ptr, dst.ptr]),
  );
}
