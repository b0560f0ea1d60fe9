// The callables a kernel benchmark times, all on operands that stay put between calls:
//   sparse    the sparse kernel call on operands in kernel memory (kernel layouts X[K][M] and X[C][H][W][M]; layout
//             transposes and heap copies are not timed);
//   baseline  the same op on the project's own dense WASM SIMD kernels with every weight kept (the fair speedup
//             denominator): the same runtime, layout, thread count and per-call work (padding, gathers) as the
//             sparse side, only without zeros skipped;
//   tfjs      the dense tfjs variants of the same op (each call is tidy(op) + dataSync + dispose, so the output
//             readback is timed), reported as a second figure ("vs tfjs").
// FLOPs count 2·nnz·(batch·pixels) for sparse and 2·(all weights)·(batch·pixels) for the dense sides.
import * as tf from '@tensorflow/tfjs';
import { createConvKernel } from '../kernels/conv.js';
import type { SparseFormatKind } from '../kernels/formats/types.js';
import { createLinearKernel } from '../kernels/linear.js';
import type { KernelRuntime } from '../kernels/runtime.js';
import { createRng } from '../util/rng.js';
import { randomValues, sparseFormat, weightDims, type KernelDirection, type KernelGeometry } from './kernel-operands.js';
import type { KernelScheme } from './types.js';

/** Threads the WASM kernels compute with: every kernel call runs on the calling thread. */
export const KERNEL_THREADS = 1;

export interface SparseKernelCases {
  readonly format: SparseFormatKind;
  readonly nnz: number;
  readonly calls: Readonly<Record<KernelDirection, () => void>>;
  /** Useful FLOPs of one call (the same for every direction). */
  readonly flop: number;
}

export interface DenseKernelCase {
  /** Dense variants of the op by name; the fastest one is measured. */
  readonly variants: Readonly<Record<string, () => void>>;
  readonly flop: number;
}

export interface DenseKernelCases {
  readonly cases: Readonly<Record<KernelDirection, DenseKernelCase>>;
  dispose(): void;
}

/** Pixels per example (1 for linear) times the batch: the columns every weight multiplies. */
function columns(geometry: KernelGeometry): number {
  return geometry.family === 'linear' ? geometry.batch : geometry.batch * geometry.height * geometry.width;
}

/**
 * Builds the sparse kernel and its operands in `rt` (allocations stay until the caller releases a mark taken
 * before); undefined when the scheme cannot express this cell (e.g. patterns above density 4/9).
 */
export function createSparseKernelCases(rt: KernelRuntime, geometry: KernelGeometry, scheme: KernelScheme, density: number, seed: number): SparseKernelCases | undefined {
  const { rows, inChannels, taps } = weightDims(geometry);
  const r = createRng(seed);
  const format = sparseFormat(scheme, r, rows, inChannels, taps, density);
  if (format === undefined) return undefined;
  const n = columns(geometry);
  if (geometry.family === 'linear') {
    const kernel = createLinearKernel(rt, format);
    const xs = rt.uploadF32(randomValues(r, inChannels * n));
    const dys = rt.uploadF32(randomValues(r, rows * n));
    const ys = rt.allocF32(rows * n);
    const dxs = rt.allocF32(inChannels * n);
    const dws = rt.allocF32(kernel.values.length);
    const nnz = kernel.values.length;
    return {
      format: format.kind,
      nnz,
      flop: 2 * nnz * n,
      calls: {
        forward: () => kernel.forward(xs, ys, n),
        'backward-data': () => kernel.backwardData(dys, dxs, n),
        'backward-weight': () => kernel.backwardWeight(xs, dys, dws, n),
      },
    };
  }
  const kernel = createConvKernel(rt, format, { kh: geometry.k, kw: geometry.k });
  const geo = { height: geometry.height, width: geometry.width, batch: geometry.batch };
  const xs = rt.uploadF32(randomValues(r, inChannels * n));
  const dys = rt.uploadF32(randomValues(r, rows * n));
  const ys = rt.allocF32(rows * n);
  const dxs = rt.allocF32(inChannels * n);
  const dws = rt.allocF32(kernel.values.length);
  const nnz = kernel.values.length;
  return {
    format: format.kind,
    nnz,
    flop: 2 * nnz * n,
    calls: {
      forward: () => kernel.forward(xs, ys, geo),
      'backward-data': () => kernel.backwardData(dys, dxs, geo),
      'backward-weight': () => kernel.backwardWeight(xs, dys, dws, geo),
    },
  };
}

/**
 * Formats that keep every weight at density 1, as dense kernels: 'channel' keeps all input channels (a dense SIMD
 * GEMM for linear and 1×1 layers, the direct conv kernel over every tap otherwise) and 'block' keeps all 4×1
 * blocks (its SIMD block kernels, when the rows divide by 4).
 */
const BASELINE_SCHEMES: readonly KernelScheme[] = ['channel', 'block'];

export interface BaselineKernelCases {
  readonly cases: Readonly<Record<KernelDirection, DenseKernelCase>>;
  /** Weights every variant computes with (all of them). */
  readonly nnz: number;
}

/**
 * The dense baseline of a kernel cell on the same runtime: each format of BASELINE_SCHEMES at density 1 that can
 * express the shape, as a variant named "<format> d=1" (allocations stay in `rt` like the sparse case's). Throws if
 * a variant would not compute with every weight, so the denominator is never itself sparse.
 */
export function createBaselineKernelCases(rt: KernelRuntime, geometry: KernelGeometry, seed: number): BaselineKernelCases {
  const { rows, inChannels, taps } = weightDims(geometry);
  const all = rows * inChannels * taps;
  const flop = 2 * all * columns(geometry);
  const variants: Record<KernelDirection, Record<string, () => void>> = { forward: {}, 'backward-data': {}, 'backward-weight': {} };
  for (const scheme of BASELINE_SCHEMES) {
    const dense = createSparseKernelCases(rt, geometry, scheme, 1, seed);
    if (dense === undefined) continue;
    if (dense.nnz !== all) throw new Error(`dense baseline '${scheme}' keeps ${dense.nnz} of ${all} weights`);
    for (const direction of Object.keys(variants) as KernelDirection[]) variants[direction][`${dense.format} d=1`] = dense.calls[direction];
  }
  const caseOf = (direction: KernelDirection): DenseKernelCase => ({ variants: variants[direction], flop });
  return { cases: { forward: caseOf('forward'), 'backward-data': caseOf('backward-data'), 'backward-weight': caseOf('backward-weight') }, nnz: all };
}

function denseCall(op: () => tf.Tensor): () => void {
  return () => {
    const out = tf.tidy(op);
    out.dataSync();
    out.dispose();
  };
}

function denseCase(flop: number, entries: Record<string, () => tf.Tensor>): DenseKernelCase {
  return { variants: Object.fromEntries(Object.entries(entries).map(([name, op]) => [name, denseCall(op)])), flop };
}

/** The dense tfjs variants of all three directions of one shape (tensors shared; dispose when done). */
export function createDenseKernelCases(geometry: KernelGeometry, seed: number): DenseKernelCases {
  const r = createRng(seed);
  const { rows, inChannels, taps } = weightDims(geometry);
  const flop = 2 * rows * inChannels * taps * columns(geometry);
  if (geometry.family === 'linear') {
    const { batch: M, inFeatures: K, outFeatures: N } = geometry;
    const x = tf.tensor2d(randomValues(r, M * K), [M, K]);
    const w = tf.tensor2d(randomValues(r, K * N), [K, N]);
    const dy = tf.tensor2d(randomValues(r, M * N), [M, N]);
    const variants = (entries: Record<string, () => tf.Tensor>) => denseCase(flop, entries);
    return {
      cases: {
        forward: variants({ 'matMul(x,w)': () => tf.matMul(x, w) }),
        'backward-data': variants({ 'matMul(dy,w,transposeB)': () => tf.matMul(dy, w, false, true), 'matMul(dy,transpose(w))': () => tf.matMul(dy, tf.transpose(w)) }),
        'backward-weight': variants({ 'matMul(x,dy,transposeA)': () => tf.matMul(x, dy, true, false), 'matMul(transpose(x),dy)': () => tf.matMul(tf.transpose(x), dy) }),
      },
      dispose: () => tf.dispose([x, w, dy]),
    };
  }
  const { batch, height: H, width: W, inChannels: cin, outChannels: cout, k } = geometry;
  const pad = (k - 1) >> 1;
  const x = tf.tensor4d(randomValues(r, batch * H * W * cin), [batch, H, W, cin]);
  const f = tf.tensor4d(randomValues(r, k * k * cin * cout), [k, k, cin, cout]);
  const dy = tf.tensor4d(randomValues(r, batch * H * W * cout), [batch, H, W, cout]);
  const flipped = (): tf.Tensor4D => tf.transpose(tf.reverse(f, [0, 1]), [0, 1, 3, 2]);
  const variants = (entries: Record<string, () => tf.Tensor>) => denseCase(flop, entries);
  return {
    cases: {
      forward: variants({ conv2d: () => tf.conv2d(x, f, 1, 'same') }),
      'backward-data': variants({
        conv2dTranspose: () => tf.conv2dTranspose(dy, f, [batch, H, W, cin], 1, 'same'),
        'conv2d(dy,flipped w)': () => tf.conv2d(dy, flipped(), 1, 'same'),
      }),
      // Conv2DBackpropFilter is not registered on wasm: the fastest working path is a conv2d on transposed tensors.
      'backward-weight': variants({
        'conv2d(transpose(pad x),transpose dy)': () => {
          const xt = tf.transpose(tf.pad(x, [[0, 0], [pad, pad], [pad, pad], [0, 0]]), [3, 1, 2, 0]) as tf.Tensor4D;
          const dyt = tf.transpose(dy, [1, 2, 0, 3]) as tf.Tensor4D;
          return tf.transpose(tf.conv2d(xt, dyt, 1, 'valid'), [1, 2, 0, 3]);
        },
      }),
    },
    dispose: () => tf.dispose([x, f, dy]),
  };
}
