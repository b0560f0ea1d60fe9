import { beforeAll, describe, expect, it } from 'vitest';
import { createConvKernel, type ConvGeometry } from '../../../client/src/engine/kernels/conv.js';
import { buildCsr } from '../../../client/src/engine/kernels/formats/csr.js';
import { referenceConvBackwardData, referenceConvForward, referenceConvWeightGrad } from '../../../client/src/engine/kernels/reference/conv.js';
import type { KernelRuntime } from '../../../client/src/engine/kernels/runtime.js';
import { loadRuntime, maxRelError, randomArray, rng } from './helpers.js';

// A full-mask conv runs the dense tile; the same weights with one entry left out of the mask run the CSR kernel.
// With that entry's weight set to 0 in the full layer, both compute the same sums in the same order (+ 0·x adds
// nothing), so their outputs must agree bit for bit.
interface Case {
  readonly out: number;
  readonly in: number;
  readonly kh: number;
  readonly kw: number;
  readonly geo: ConvGeometry;
}

function randomCases(): Case[] {
  const r = rng(1607);
  const cases: Case[] = [
    { out: 32, in: 1, kh: 3, kw: 3, geo: { height: 6, width: 6, batch: 8 } },
    { out: 3, in: 2, kh: 3, kw: 3, geo: { height: 3, width: 5, batch: 3 } },
    { out: 5, in: 3, kh: 5, kw: 3, geo: { height: 4, width: 3, batch: 7 } },
    { out: 8, in: 2, kh: 2, kw: 2, geo: { height: 1, width: 1, batch: 1 } },
  ];
  for (let i = 0; i < 6; i++) {
    const k = 1 + r.int(3) * 2;
    cases.push({ out: 1 + r.int(13), in: 1 + r.int(4), kh: k, kw: k === 1 ? 3 : k, geo: { height: 1 + r.int(7), width: 1 + r.int(7), batch: 1 + r.int(19) } });
  }
  return cases;
}

let rt: KernelRuntime;

beforeAll(async () => {
  rt = await loadRuntime();
});

/** Random weights of a case, and a mask that leaves out one of them (`hole`). */
function fixture(c: Case, seed: number) {
  const r = rng(seed);
  const cols = c.in * c.kh * c.kw;
  const weights = randomArray(r, c.out * cols);
  const hole = r.int(weights.length);
  const almost = new Uint8Array(weights.length).fill(1);
  almost[hole] = 0;
  const full = new Uint8Array(weights.length).fill(1);
  return { r, cols, weights, hole, almost, full, plane: c.geo.height * c.geo.width * c.geo.batch, kernelSize: { kh: c.kh, kw: c.kw } };
}

describe('dense conv path (full mask)', () => {
  it.each(randomCases())('should give the CSR kernel forward bit for bit: $out×$in, $kh×$kw, $geo.height×$geo.width, M=$geo.batch', (c) => {
    // Prepare
    const { r, cols, weights, hole, almost, full, plane, kernelSize } = fixture(c, c.out * 131 + c.in * 17 + c.geo.batch);
    const withZero = weights.slice();
    withZero[hole] = 0;
    const x = randomArray(r, c.in * plane);
    const mark = rt.mark();
    const dense = createConvKernel(rt, { kind: 'csr', matrix: buildCsr(withZero, full, c.out, cols) }, kernelSize);
    const sparse = createConvKernel(rt, { kind: 'csr', matrix: buildCsr(weights, almost, c.out, cols) }, kernelSize);
    const xb = rt.uploadF32(x);
    const yDense = rt.allocF32(c.out * plane);
    const ySparse = rt.allocF32(c.out * plane);
    // Execute
    dense.forward(xb, yDense, c.geo);
    sparse.forward(xb, ySparse, c.geo);
    const results = { dense: rt.read(yDense), sparse: rt.read(ySparse) };
    rt.release(mark);
    // Assert
    expect(dense.dense).toBe(true);
    expect(sparse.dense).toBe(false);
    expect(results.dense).toEqual(results.sparse);
    const format = { kind: 'csr' as const, matrix: buildCsr(withZero, full, c.out, cols) };
    expect(maxRelError(results.dense, referenceConvForward(format, kernelSize, x, c.geo))).toBeLessThanOrEqual(1e-5);
  });
});

describe('dense conv path, backward', () => {
  it.each(randomCases())('should match the CSR kernel and the reference: $out×$in, $kh×$kw, $geo.height×$geo.width, M=$geo.batch', (c) => {
    // Prepare
    const { r, cols, weights, hole, almost, full, plane, kernelSize } = fixture(c, c.out * 7 + c.in * 3 + c.geo.batch);
    const x = randomArray(r, c.in * plane);
    const dy = randomArray(r, c.out * plane);
    const format = { kind: 'csr' as const, matrix: buildCsr(weights, full, c.out, cols) };
    const mark = rt.mark();
    const dense = createConvKernel(rt, format, kernelSize);
    const sparse = createConvKernel(rt, { kind: 'csr', matrix: buildCsr(weights, almost, c.out, cols) }, kernelSize);
    const xb = rt.uploadF32(x);
    const dyb = rt.uploadF32(dy);
    const dwDense = rt.allocF32(weights.length);
    const dwSparse = rt.allocF32(weights.length - 1);
    const dx = rt.allocF32(c.in * plane);
    // Execute
    dense.backwardWeight(xb, dyb, dwDense, c.geo);
    sparse.backwardWeight(xb, dyb, dwSparse, c.geo);
    dense.backwardData(dyb, dx, c.geo);
    const results = { dense: rt.read(dwDense), sparse: rt.read(dwSparse), dx: rt.read(dx) };
    rt.release(mark);
    // Assert: the sparse gradient is the dense one without the hole.
    const withoutHole = Float32Array.from([...results.dense.slice(0, hole), ...results.dense.slice(hole + 1)]);
    expect(maxRelError(withoutHole, results.sparse)).toBeLessThanOrEqual(1e-5);
    expect(maxRelError(results.dense, referenceConvWeightGrad(format, kernelSize, x, dy, c.geo))).toBeLessThanOrEqual(1e-5);
    expect(maxRelError(results.dx, referenceConvBackwardData(format, kernelSize, dy, c.geo))).toBeLessThanOrEqual(1e-5);
  });
});

describe('fused conv epilogue (bias + ReLU)', () => {
  it.each([
    [1, true, true, 5],
    [0.3, true, true, 5],
    [1, false, true, 11],
    [0.3, true, false, 11],
    [0.3, false, true, 19],
  ])('should equal forward + rowAffine bit for bit at density %s (bias %s, relu %s, batch %s)', (density, withBias, relu, batch) => {
    // Prepare: rows of W·M = 15, 33 and 57 floats (vector chunks of 32, 16 and 4 floats and scalar tails).
    const c: Case = { out: 7, in: 3, kh: 3, kw: 3, geo: { height: 5, width: 3, batch } };
    const r = rng(77);
    const cols = c.in * c.kh * c.kw;
    const mask = Uint8Array.from({ length: c.out * cols }, () => (r.next() < density ? 1 : 0));
    const format = { kind: 'csr' as const, matrix: buildCsr(randomArray(r, c.out * cols), mask, c.out, cols) };
    const plane = c.geo.height * c.geo.width * c.geo.batch;
    const mark = rt.mark();
    const kernel = createConvKernel(rt, format, { kh: 3, kw: 3 });
    const x = rt.uploadF32(randomArray(r, c.in * plane));
    const biasValues = randomArray(r, c.out);
    const bias = withBias ? rt.uploadF32(biasValues) : undefined;
    const fusedY = rt.allocF32(c.out * plane);
    const plainY = rt.allocF32(c.out * plane);
    // Execute
    const fused = kernel.forward(x, fusedY, c.geo, { bias, relu });
    const plain = kernel.forward(x, plainY, c.geo);
    rt.raw.rowAffine(c.out, plane, 0, bias?.ptr ?? 0, relu, plainY.ptr);
    const results = { fused: rt.read(fusedY), plain: rt.read(plainY) };
    rt.release(mark);
    // Assert
    expect(fused).toBe(true);
    expect(plain).toBe(false);
    expect(results.fused).toEqual(results.plain);
    expect(results.fused.some((v) => v > 0)).toBe(true);
    expect(results.fused.some((v) => (relu ? v === 0 : v < 0))).toBe(true);
  });
});
