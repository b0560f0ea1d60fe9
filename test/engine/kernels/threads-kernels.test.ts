// The threaded kernels against the single-threaded ones: the threads build split over a worker pool must give
// bit-identical results to the one-thread SIMD build (slices start where the sequential kernel starts a row, so every
// float is summed in the same order), for random shapes, densities and every format, including fewer rows than
// threads. The scalar build must agree with SIMD within float rounding, and the fallback without shared memory must
// run one thread and say why.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ensureKernelsBuilt } from '../../../client/src/engine/kernels/build.mjs';
import { createConvKernel } from '../../../client/src/engine/kernels/conv.js';
import { buildBlock4 } from '../../../client/src/engine/kernels/formats/block4.js';
import { buildChannelCompaction } from '../../../client/src/engine/kernels/formats/channel.js';
import { buildCsr } from '../../../client/src/engine/kernels/formats/csr.js';
import { buildPatternConv } from '../../../client/src/engine/kernels/formats/pattern.js';
import { buildShuffledBlocks } from '../../../client/src/engine/kernels/formats/shuffled-block.js';
import type { SparseFormat } from '../../../client/src/engine/kernels/formats/types.js';
import { createLinearKernel } from '../../../client/src/engine/kernels/linear.js';
import { KernelRuntime } from '../../../client/src/engine/kernels/runtime.js';
import { defaultThreadPlatform } from '../../../client/src/engine/kernels/threads/platform.js';
import { fromKernelLayout, toKernelLayout } from '../../../client/src/engine/models/kernel-compute/activations.js';
import { convShape } from '../../../client/src/engine/sparse/types.js';
import { block4Mask, channelMask, irregularMask, maxRelError, patternMask, randomArray, rng, shuffledMask } from './helpers.js';

/** Scalar vs SIMD: the same sums in another order (4 lanes, then a horizontal add). */
const SCALAR_TOLERANCE = 1e-5;

type FormatName = 'csr' | 'block4' | 'shuffled-block' | 'channel' | 'pattern';

interface Shape {
  readonly out: number;
  readonly in: number;
  /** Taps per input channel (1 for linear layers, 9 for 3×3 convs). */
  readonly taps: number;
  readonly density: number;
}

function buildFormat(name: FormatName, s: Shape, seed: number): SparseFormat {
  const r = rng(seed);
  const cols = s.in * s.taps;
  const weights = randomArray(r, s.out * cols);
  switch (name) {
    case 'csr':
      return { kind: 'csr', matrix: buildCsr(weights, irregularMask(r, s.out, cols, s.density, s.out > 2 ? [1] : []), s.out, cols) };
    case 'block4':
      return { kind: 'block4', matrix: buildBlock4(weights, block4Mask(r, s.out, cols, s.density), s.out, cols) };
    case 'channel':
      return { kind: 'channel', matrix: buildChannelCompaction(weights, channelMask(r, s.out, s.in, s.taps, Math.max(0.3, s.density)), s.out, s.in, s.taps) };
    case 'shuffled-block': {
      const { mask, rowGroups } = shuffledMask(r, s.out, cols, 2, s.density);
      return { kind: 'shuffled-block', matrix: buildShuffledBlocks(weights, mask, s.out, cols, 2, rowGroups) };
    }
    case 'pattern':
      return { kind: 'pattern', matrix: buildPatternConv(convShape(s.out, s.in, 3, 3), weights, patternMask(r, s.out, s.in, s.density)) };
  }
}

interface Outputs {
  readonly y: Float32Array;
  readonly dx: Float32Array;
  readonly dw: Float32Array;
}

/** Forward, backward-data and backward-weight of one layer on `rt`; conv when `geo` is given. */
function runLayer(rt: KernelRuntime, f: SparseFormat, s: Shape, batch: number, seed: number, geo?: { height: number; width: number }): Outputs {
  const r = rng(seed);
  const columns = batch * (geo === undefined ? 1 : geo.height * geo.width);
  const x = randomArray(r, s.in * (geo === undefined ? s.taps : 1) * columns);
  const dy = randomArray(r, s.out * columns);
  return rt.scratch(() => {
    const xb = rt.uploadF32(x);
    const dyb = rt.uploadF32(dy);
    const y = rt.allocF32(s.out * columns);
    const dx = rt.allocF32(x.length);
    const dw = rt.allocF32(f.matrix.values.length);
    if (geo === undefined) {
      const kernel = createLinearKernel(rt, f);
      kernel.forward(xb, y, batch);
      kernel.backwardData(dyb, dx, batch);
      kernel.backwardWeight(xb, dyb, dw, batch);
    } else {
      const g = { ...geo, batch };
      const kernel = createConvKernel(rt, f, { kh: 3, kw: 3 });
      kernel.forward(xb, y, g);
      kernel.backwardData(dyb, dx, g);
      kernel.backwardWeight(xb, dyb, dw, g);
    }
    return { y: rt.read(y), dx: rt.read(dx), dw: rt.read(dw) };
  });
}

/** Index of the first element that differs (bitwise, as floats compare), −1 when none; lengths must match. */
function firstDifference(a: Float32Array, b: Float32Array): number {
  if (a.length !== b.length) return Math.min(a.length, b.length);
  for (let i = 0; i < a.length; i++) if (!Object.is(a[i], b[i])) return i;
  return -1;
}

interface Case {
  readonly label: string;
  readonly format: FormatName;
  readonly shape: Shape;
  readonly batch: number;
  readonly geo?: { height: number; width: number };
}

/** Random shapes per format (seeded), plus ragged cases: fewer rows (or groups) than threads. */
function cases(): Case[] {
  const r = rng(2026);
  const out: Case[] = [];
  const linear: FormatName[] = ['csr', 'block4', 'shuffled-block', 'channel'];
  const conv: FormatName[] = ['csr', 'block4', 'channel', 'pattern'];
  for (let i = 0; i < 3; i++) {
    for (const format of linear) {
      const shape = { out: 4 * (1 + r.int(24)), in: 2 * (1 + r.int(40)), taps: 1, density: [0.05, 0.2, 0.6][i] };
      out.push({ label: `linear ${format} ${shape.out}x${shape.in} d=${shape.density}`, format, shape, batch: 1 + r.int(70) });
    }
    for (const format of conv) {
      const shape = { out: 4 * (1 + r.int(6)), in: 1 + r.int(6), taps: 9, density: [0.1, 0.3, 0.7][i] };
      const geo = { height: 2 + r.int(6), width: 2 + r.int(6) };
      out.push({ label: `conv ${format} ${shape.out}x${shape.in} ${geo.height}x${geo.width} d=${shape.density}`, format, shape, batch: 1 + r.int(9), geo });
    }
  }
  out.push({ label: 'ragged linear csr 2 rows', format: 'csr', shape: { out: 2, in: 9, taps: 1, density: 0.5 }, batch: 5 });
  out.push({ label: 'ragged linear block4 one group', format: 'block4', shape: { out: 4, in: 7, taps: 1, density: 0.5 }, batch: 33 });
  out.push({ label: 'ragged conv csr 2 filters, 1 channel', format: 'csr', shape: { out: 2, in: 1, taps: 9, density: 0.6 }, batch: 3, geo: { height: 3, width: 3 } });
  out.push({ label: 'full conv csr 6 filters (dense tile + ragged rows)', format: 'csr', shape: { out: 6, in: 2, taps: 9, density: 1 }, batch: 5, geo: { height: 4, width: 3 } });
  out.push({ label: 'empty linear csr', format: 'csr', shape: { out: 8, in: 8, taps: 1, density: 0 }, batch: 4 });
  return out;
}

const CASES = cases();

describe('threaded kernels', () => {
  let single: KernelRuntime;
  let scalar: KernelRuntime;
  const pooled: KernelRuntime[] = [];

  beforeAll(async () => {
    await ensureKernelsBuilt({ quiet: true });
    single = await KernelRuntime.create({ variant: 'simd' });
    scalar = await KernelRuntime.create({ variant: 'scalar' });
    for (const threads of [2, 3]) pooled.push(await KernelRuntime.create({ threads, spin: 0, minParallelWork: 0, minSliceWork: 0 }));
  });

  afterAll(async () => {
    await Promise.all(pooled.map((rt) => rt.close()));
  });

  it('should run the threads build on a pool of the requested size', () => {
    expect(pooled.map((rt) => rt.describe())).toEqual([
      { variant: 'threads', threads: 2, requestedThreads: 2 },
      { variant: 'threads', threads: 3, requestedThreads: 3 },
    ]);
  });

  it.each(CASES)('should equal the one-thread SIMD results bit for bit: $label', ({ format, shape, batch, geo }) => {
    const f = buildFormat(format, shape, shape.out * 31 + shape.in);
    const expected = runLayer(single, f, shape, batch, 7, geo);
    for (const rt of pooled) {
      const before = rt.parallelCalls;
      const actual = runLayer(rt, f, shape, batch, 7, geo);
      expect(actual.y, `y on ${rt.threads} threads`).toEqual(expected.y);
      expect(actual.dx, `dx on ${rt.threads} threads`).toEqual(expected.dx);
      expect(actual.dw, `dw on ${rt.threads} threads`).toEqual(expected.dw);
      if (shape.density > 0 && shape.out > 4) expect(rt.parallelCalls, 'calls split over the pool').toBeGreaterThan(before);
    }
  });

  it.each([
    [128, 1, 784],
    [61, 9, 77],
  ])('should change layouts (%i×%i×%i) split over the pool exactly as on one thread', (batch, pixels, channels) => {
    const shape = { channels, height: pixels, width: 1, flat: false };
    const values = randomArray(rng(batch + channels), batch * pixels * channels);
    const expected = new Float32Array(values.length);
    let next = 0;
    for (let c = 0; c < channels; c++) for (let p = 0; p < pixels; p++) for (let b = 0; b < batch; b++) expected[next++] = values[(b * pixels + p) * channels + c];
    for (const rt of [single, scalar, ...pooled]) {
      const [inKernel, back] = rt.scratch(() => {
        const buffer = toKernelLayout(rt, values, shape, batch);
        return [rt.read(buffer), fromKernelLayout(rt, buffer, shape, batch)];
      });
      expect(firstDifference(inKernel, expected), `${rt.describe().variant} on ${rt.threads} threads`).toBe(-1);
      expect(firstDifference(back, values)).toBe(-1);
    }
  });

  it('should fall back to one thread on the SIMD build, and say why, when shared memory is disabled', async () => {
    const rt = await KernelRuntime.create({ threads: 4, sharedMemory: false });
    const c = CASES[0];
    const f = buildFormat(c.format, c.shape, 5);
    const expected = runLayer(single, f, c.shape, c.batch, 3, c.geo);
    const actual = runLayer(rt, f, c.shape, c.batch, 3, c.geo);
    expect(rt.describe()).toEqual({ variant: 'simd', threads: 1, requestedThreads: 4, threadFallbackReason: 'shared memory is disabled' });
    expect(rt.parallelCalls).toBe(0);
    expect(actual).toEqual(expected);
  });

  it("should resolve threads: 'auto' from the platform's cores and stop the pool on close", async () => {
    const rt = await KernelRuntime.create({ threads: 'auto', platform: { ...defaultThreadPlatform(), cores: () => 2 } });
    expect(rt.describe()).toEqual({ variant: 'threads', threads: 2, requestedThreads: 2 });
    await rt.close();
    expect(rt.threads).toBe(1);
  });

  it('should refuse a pool on a thread that cannot block, with the reason', async () => {
    const rt = await KernelRuntime.create({ threads: 2, platform: { ...defaultThreadPlatform(), canBlock: () => false } });
    expect(rt.describe().threads).toBe(1);
    expect(rt.describe().variant).toBe('simd');
    expect(rt.describe().threadFallbackReason).toMatch(/cannot block/);
  });

  it.each(CASES)('should match SIMD on the scalar build within $label', ({ format, shape, batch, geo }) => {
    const f = buildFormat(format, shape, shape.out * 31 + shape.in);
    const expected = runLayer(single, f, shape, batch, 9, geo);
    const actual = runLayer(scalar, f, shape, batch, 9, geo);
    expect(maxRelError(actual.y, expected.y)).toBeLessThanOrEqual(SCALAR_TOLERANCE);
    expect(maxRelError(actual.dx, expected.dx)).toBeLessThanOrEqual(SCALAR_TOLERANCE);
    expect(maxRelError(actual.dw, expected.dw)).toBeLessThanOrEqual(SCALAR_TOLERANCE);
  });
});
