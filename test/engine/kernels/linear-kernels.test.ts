import { beforeAll, describe, expect, it } from 'vitest';
import { buildBlock4 } from '../../../client/src/engine/kernels/formats/block4.js';
import { buildChannelCompaction } from '../../../client/src/engine/kernels/formats/channel.js';
import { buildCsr } from '../../../client/src/engine/kernels/formats/csr.js';
import { buildShuffledBlocks } from '../../../client/src/engine/kernels/formats/shuffled-block.js';
import type { SparseFormat } from '../../../client/src/engine/kernels/formats/types.js';
import { createLinearKernel } from '../../../client/src/engine/kernels/linear.js';
import {
  referenceLinearBackwardData,
  referenceLinearForward,
  referenceLinearWeightGrad,
} from '../../../client/src/engine/kernels/reference/linear.js';
import type { KernelRuntime } from '../../../client/src/engine/kernels/runtime.js';
import { block4Mask, channelMask, irregularMask, loadRuntime, maxRelError, randomArray, rng, shuffledMask } from './helpers.js';

const TOLERANCE = 1e-5;

interface Case {
  readonly label: string;
  readonly rows: number;
  readonly cols: number;
  readonly batch: number;
  readonly density: number;
}

// Sizes not divisible by the tiles (16 / 8 / 4 batch columns, 4-row slabs), empty layers and density 1.
const CASES: Case[] = [
  { label: '12×20, M=37, d=0.3', rows: 12, cols: 20, batch: 37, density: 0.3 },
  { label: '8×9, M=1, d=1', rows: 8, cols: 9, batch: 1, density: 1 },
  { label: '16×33, M=16, d=0.1', rows: 16, cols: 33, batch: 16, density: 0.1 },
  { label: '4×7, M=6, d=0', rows: 4, cols: 7, batch: 6, density: 0 },
  { label: '24×40, M=23, d=0.5', rows: 24, cols: 40, batch: 23, density: 0.5 },
];

type Builder = (c: Case, seed: number) => SparseFormat;

const BUILDERS: Record<string, Builder> = {
  csr: (c, seed) => {
    const r = rng(seed);
    const mask = irregularMask(r, c.rows, c.cols, c.density, [1]);
    return { kind: 'csr', matrix: buildCsr(randomArray(r, c.rows * c.cols), mask, c.rows, c.cols) };
  },
  block4: (c, seed) => {
    const r = rng(seed);
    const mask = block4Mask(r, c.rows, c.cols, c.density);
    return { kind: 'block4', matrix: buildBlock4(randomArray(r, c.rows * c.cols), mask, c.rows, c.cols) };
  },
  'shuffled-block B=4': (c, seed) => shuffled(c, seed, 4),
  'shuffled-block B=6': (c, seed) => shuffled(c, seed, c.rows % 6 === 0 ? 6 : 2),
  channel: (c, seed) => {
    const r = rng(seed);
    const mask = channelMask(r, c.rows, c.cols, 1, Math.max(c.density, 0.2));
    return { kind: 'channel', matrix: buildChannelCompaction(randomArray(r, c.rows * c.cols), mask, c.rows, c.cols) };
  },
};

function shuffled(c: Case, seed: number, B: number): SparseFormat {
  const r = rng(seed);
  const { mask, rowGroups } = shuffledMask(r, c.rows, c.cols, B, c.density);
  return { kind: 'shuffled-block', matrix: buildShuffledBlocks(randomArray(r, c.rows * c.cols), mask, c.rows, c.cols, B, rowGroups) };
}

const MATRIX = Object.keys(BUILDERS).flatMap((format) => CASES.map((c, i) => ({ format, c, seed: 100 + i })));

describe('createLinearKernel', () => {
  let rt: KernelRuntime;

  beforeAll(async () => {
    rt = await loadRuntime();
  });

  it.each(MATRIX)('should match the reference for $format, $c.label', ({ format, c, seed }) => {
    // Prepare
    const f = BUILDERS[format](c, seed);
    const r = rng(seed + 1);
    const x = randomArray(r, c.cols * c.batch);
    const dy = randomArray(r, c.rows * c.batch);
    const mark = rt.mark();
    const kernel = createLinearKernel(rt, f);
    const xb = rt.uploadF32(x);
    const dyb = rt.uploadF32(dy);
    const y = rt.allocF32(c.rows * c.batch);
    const dx = rt.allocF32(c.cols * c.batch);
    const dw = rt.allocF32(f.matrix.values.length);
    // Execute
    kernel.forward(xb, y, c.batch);
    kernel.backwardData(dyb, dx, c.batch);
    kernel.backwardWeight(xb, dyb, dw, c.batch);
    const results = { y: rt.read(y), dx: rt.read(dx), dw: rt.read(dw) };
    rt.release(mark);
    // Assert
    expect(maxRelError(results.y, referenceLinearForward(f, x, c.batch))).toBeLessThanOrEqual(TOLERANCE);
    expect(maxRelError(results.dx, referenceLinearBackwardData(f, dy, c.batch))).toBeLessThanOrEqual(TOLERANCE);
    expect(maxRelError(results.dw, referenceLinearWeightGrad(f, x, dy, c.batch))).toBeLessThanOrEqual(TOLERANCE);
  });

  it('should use values updated in place between calls without a rebuild', () => {
    // Prepare
    const c = CASES[0];
    const f = BUILDERS.csr(c, 5);
    const x = randomArray(rng(6), c.cols * c.batch);
    const mark = rt.mark();
    const kernel = createLinearKernel(rt, f);
    const scaled = f.matrix.values.map((v) => 2 * v);
    rt.write(kernel.values, scaled);
    const y = rt.allocF32(c.rows * c.batch);
    // Execute
    kernel.forward(rt.uploadF32(x), y, c.batch);
    const result = rt.read(y);
    rt.release(mark);
    // Assert
    expect(maxRelError(result, referenceLinearForward(f, x, c.batch, scaled))).toBeLessThanOrEqual(TOLERANCE);
  });

  it('should reject buffers of the wrong size', () => {
    const mark = rt.mark();
    const kernel = createLinearKernel(rt, BUILDERS.csr(CASES[0], 9));
    expect(() => kernel.forward(rt.allocF32(3), rt.allocF32(3), 2)).toThrow(RangeError);
    rt.release(mark);
  });

  it('should match a numerical gradient of its own forward on a tiny case', () => {
    // Prepare: L = Σ G ⊙ (W·X); dL/dX = Wᵀ·G and dL/dW = G·Xᵀ on the mask. L is linear in X and W, so central
    // differences with a large step are exact up to rounding.
    const c: Case = { label: 'tiny', rows: 4, cols: 5, batch: 3, density: 0.6 };
    for (const name of ['csr', 'block4', 'shuffled-block B=4', 'channel']) {
      const f = BUILDERS[name](c, 77);
      const r = rng(78);
      const x = randomArray(r, c.cols * c.batch);
      const g = randomArray(r, c.rows * c.batch);
      const mark = rt.mark();
      const kernel = createLinearKernel(rt, f);
      const y = rt.allocF32(c.rows * c.batch);
      const loss = (input: Float32Array): number => {
        kernel.forward(rt.uploadF32(input), y, c.batch);
        return rt.read(y).reduce((sum, v, i) => sum + v * g[i], 0);
      };
      const dx = rt.allocF32(c.cols * c.batch);
      const dw = rt.allocF32(f.matrix.values.length);
      kernel.backwardData(rt.uploadF32(g), dx, c.batch);
      kernel.backwardWeight(rt.uploadF32(x), rt.uploadF32(g), dw, c.batch);
      const analyticDx = rt.read(dx);
      const analyticDw = rt.read(dw);
      const step = 0.5;
      // Execute
      const numericDx = x.map((_, i) => {
        const plus = x.slice();
        const minus = x.slice();
        plus[i] += step;
        minus[i] -= step;
        return (loss(plus) - loss(minus)) / (2 * step);
      });
      const base = f.matrix.values.slice();
      const numericDw = base.map((_, i) => {
        const at = (delta: number): number => {
          const v = base.slice();
          v[i] += delta;
          rt.write(kernel.values, v);
          return loss(x);
        };
        return (at(step) - at(-step)) / (2 * step);
      });
      rt.release(mark);
      // Assert
      expect(maxRelError(analyticDx, numericDx), name).toBeLessThanOrEqual(1e-4);
      expect(maxRelError(analyticDw, numericDw), name).toBeLessThanOrEqual(1e-4);
    }
  });
});
