import { beforeAll, describe, expect, it } from 'vitest';
import { createConvKernel } from '../../../client/src/engine/kernels/conv.js';
import { buildBlock4 } from '../../../client/src/engine/kernels/formats/block4.js';
import { buildChannelCompaction } from '../../../client/src/engine/kernels/formats/channel.js';
import { buildCsr } from '../../../client/src/engine/kernels/formats/csr.js';
import { buildPatternConv } from '../../../client/src/engine/kernels/formats/pattern.js';
import { buildShuffledBlocks } from '../../../client/src/engine/kernels/formats/shuffled-block.js';
import type { SparseFormat } from '../../../client/src/engine/kernels/formats/types.js';
import {
  referenceConvBackwardData,
  referenceConvForward,
  referenceConvWeightGrad,
  type ConvGeometry,
} from '../../../client/src/engine/kernels/reference/conv.js';
import type { KernelRuntime } from '../../../client/src/engine/kernels/runtime.js';
import { convShape } from '../../../client/src/engine/sparse/types.js';
import { block4Mask, channelMask, irregularMask, loadRuntime, maxRelError, patternMask, randomArray, rng, shuffledMask } from './helpers.js';

const TOLERANCE = 1e-5;

interface Case {
  readonly label: string;
  readonly out: number;
  readonly in: number;
  readonly kh: number;
  readonly kw: number;
  readonly geo: ConvGeometry;
  readonly density: number;
}

// Odd sizes (W·M not a multiple of 16 / 8 / 4), a 1×1 image, 1×1 and non-square kernels, empty and dense layers.
const CASES: Case[] = [
  { label: '3×3, 8→4, 5×7, M=3, d=0.4', out: 8, in: 4, kh: 3, kw: 3, geo: { height: 5, width: 7, batch: 3 }, density: 0.4 },
  { label: '3×3, 4→3, 4×4, M=8, d=1', out: 4, in: 3, kh: 3, kw: 3, geo: { height: 4, width: 4, batch: 8 }, density: 1 },
  { label: '3×3, 4→2, 1×1, M=5, d=0.8', out: 4, in: 2, kh: 3, kw: 3, geo: { height: 1, width: 1, batch: 5 }, density: 0.8 },
  { label: '3×3, 8→5, 6×3, M=17, d=0.1', out: 8, in: 5, kh: 3, kw: 3, geo: { height: 6, width: 3, batch: 17 }, density: 0.1 },
  { label: '3×3, 4→2, 3×3, M=2, d=0', out: 4, in: 2, kh: 3, kw: 3, geo: { height: 3, width: 3, batch: 2 }, density: 0 },
  { label: '1×1, 8→6, 3×5, M=7, d=0.5', out: 8, in: 6, kh: 1, kw: 1, geo: { height: 3, width: 5, batch: 7 }, density: 0.5 },
  { label: '5×3, 4→3, 6×5, M=4, d=0.5', out: 4, in: 3, kh: 5, kw: 3, geo: { height: 6, width: 5, batch: 4 }, density: 0.5 },
  { label: '2×2, 4→2, 4×5, M=3, d=0.6', out: 4, in: 2, kh: 2, kw: 2, geo: { height: 4, width: 5, batch: 3 }, density: 0.6 },
];

type Builder = (c: Case, seed: number) => SparseFormat | undefined;

const BUILDERS: Record<string, Builder> = {
  csr: (c, seed) => {
    const r = rng(seed);
    const cols = c.in * c.kh * c.kw;
    return { kind: 'csr', matrix: buildCsr(randomArray(r, c.out * cols), irregularMask(r, c.out, cols, c.density, [0]), c.out, cols) };
  },
  block4: (c, seed) => {
    const r = rng(seed);
    const cols = c.in * c.kh * c.kw;
    return { kind: 'block4', matrix: buildBlock4(randomArray(r, c.out * cols), block4Mask(r, c.out, cols, c.density), c.out, cols) };
  },
  pattern: (c, seed) => {
    if (c.kh !== 3 || c.kw !== 3) return undefined;
    const r = rng(seed);
    const shape = convShape(c.out, c.in, 3, 3);
    return { kind: 'pattern', matrix: buildPatternConv(shape, randomArray(r, c.out * c.in * 9), patternMask(r, c.out, c.in, c.density)) };
  },
  channel: (c, seed) => {
    const r = rng(seed);
    const k = c.kh * c.kw;
    const mask = channelMask(r, c.out, c.in, k, Math.max(c.density, 0.3));
    return { kind: 'channel', matrix: buildChannelCompaction(randomArray(r, c.out * c.in * k), mask, c.out, c.in, k) };
  },
  'shuffled-block': (c, seed) => {
    const r = rng(seed);
    const cols = c.in * c.kh * c.kw;
    const { mask, rowGroups } = shuffledMask(r, c.out, cols, 2, c.density);
    return { kind: 'shuffled-block', matrix: buildShuffledBlocks(randomArray(r, c.out * cols), mask, c.out, cols, 2, rowGroups) };
  },
};

const MATRIX = Object.keys(BUILDERS)
  .flatMap((format) => CASES.map((c, i) => ({ format, c, seed: 300 + i })))
  .filter(({ format, c }) => format !== 'pattern' || (c.kh === 3 && c.kw === 3));

describe('createConvKernel', () => {
  let rt: KernelRuntime;

  beforeAll(async () => {
    rt = await loadRuntime();
  });

  it.each(MATRIX)('should match the reference for $format, $c.label', ({ format, c, seed }) => {
    // Prepare
    const f = BUILDERS[format](c, seed) as SparseFormat;
    const r = rng(seed + 1);
    const plane = c.geo.height * c.geo.width * c.geo.batch;
    const kernelSize = { kh: c.kh, kw: c.kw };
    const x = randomArray(r, c.in * plane);
    const dy = randomArray(r, c.out * plane);
    const mark = rt.mark();
    const kernel = createConvKernel(rt, f, kernelSize);
    const xb = rt.uploadF32(x);
    const dyb = rt.uploadF32(dy);
    const y = rt.allocF32(c.out * plane);
    const dx = rt.allocF32(c.in * plane);
    const dw = rt.allocF32(f.matrix.values.length);
    // Execute
    kernel.forward(xb, y, c.geo);
    kernel.backwardData(dyb, dx, c.geo);
    kernel.backwardWeight(xb, dyb, dw, c.geo);
    const results = { y: rt.read(y), dx: rt.read(dx), dw: rt.read(dw) };
    rt.release(mark);
    // Assert
    expect(maxRelError(results.y, referenceConvForward(f, kernelSize, x, c.geo))).toBeLessThanOrEqual(TOLERANCE);
    expect(maxRelError(results.dx, referenceConvBackwardData(f, kernelSize, dy, c.geo))).toBeLessThanOrEqual(TOLERANCE);
    expect(maxRelError(results.dw, referenceConvWeightGrad(f, kernelSize, x, dy, c.geo))).toBeLessThanOrEqual(TOLERANCE);
  });

  it.each(MATRIX.filter(({ c }) => c.density > 0))('should give the same results from a padded input made once ($format, $c.label)', ({ format, c, seed }) => {
    // Prepare
    const f = BUILDERS[format](c, seed) as SparseFormat;
    const r = rng(seed + 2);
    const plane = c.geo.height * c.geo.width * c.geo.batch;
    const mark = rt.mark();
    const kernel = createConvKernel(rt, f, { kh: c.kh, kw: c.kw });
    const x = rt.uploadF32(randomArray(r, c.in * plane));
    const dy = rt.uploadF32(randomArray(r, c.out * plane));
    const run = (padded: boolean) => {
      const xp = padded ? kernel.padInput(x, c.geo) : undefined;
      const y = rt.allocF32(c.out * plane);
      const dw = rt.allocF32(f.matrix.values.length);
      kernel.forward(x, y, c.geo, undefined, xp);
      kernel.backwardWeight(x, dy, dw, c.geo, xp);
      return { y: rt.read(y), dw: rt.read(dw), padded: xp !== undefined };
    };
    // Execute
    const own = run(false);
    const shared = run(true);
    rt.release(mark);
    // Assert
    expect(shared.padded).toBe(c.kh * c.kw > 1 || format === 'pattern');
    expect(shared.y).toEqual(own.y);
    expect(shared.dw).toEqual(own.dw);
  });

  it('should give the same results on a second call with another batch size (offset cache per geometry)', () => {
    const c = CASES[0];
    const f = BUILDERS.csr(c, 11) as SparseFormat;
    const k = { kh: 3, kw: 3 };
    const mark = rt.mark();
    const kernel = createConvKernel(rt, f, k);
    for (const batch of [3, 5, 3]) {
      const geo = { ...c.geo, batch };
      const x = randomArray(rng(batch), c.in * geo.height * geo.width * batch);
      const y = rt.allocF32(c.out * geo.height * geo.width * batch);
      kernel.forward(rt.uploadF32(x), y, geo);
      expect(maxRelError(rt.read(y), referenceConvForward(f, k, x, geo))).toBeLessThanOrEqual(TOLERANCE);
    }
    rt.release(mark);
  });

  it('should match a numerical gradient of its own forward on a tiny 3×3 case', () => {
    // Prepare: L = Σ G ⊙ conv(X, W) is linear in X and W, so central differences are exact up to rounding.
    const c: Case = { label: 'tiny', out: 4, in: 2, kh: 3, kw: 3, geo: { height: 3, width: 4, batch: 2 }, density: 0.7 };
    const plane = c.geo.height * c.geo.width * c.geo.batch;
    for (const name of ['csr', 'block4', 'pattern', 'channel']) {
      const f = BUILDERS[name](c, 91) as SparseFormat;
      const r = rng(92);
      const x = randomArray(r, c.in * plane);
      const g = randomArray(r, c.out * plane);
      const mark = rt.mark();
      const kernel = createConvKernel(rt, f, { kh: 3, kw: 3 });
      const y = rt.allocF32(c.out * plane);
      const loss = (input: Float32Array): number => {
        kernel.forward(rt.uploadF32(input), y, c.geo);
        return rt.read(y).reduce((sum, v, i) => sum + v * g[i], 0);
      };
      const dx = rt.allocF32(c.in * plane);
      const dw = rt.allocF32(f.matrix.values.length);
      kernel.backwardData(rt.uploadF32(g), dx, c.geo);
      kernel.backwardWeight(rt.uploadF32(x), rt.uploadF32(g), dw, c.geo);
      const analytic = { dx: rt.read(dx), dw: rt.read(dw) };
      // Execute
      const numericDx = x.map((_, i) => {
        const plus = x.slice();
        const minus = x.slice();
        plus[i] += 0.5;
        minus[i] -= 0.5;
        return loss(plus) - loss(minus);
      });
      const base = f.matrix.values.slice();
      const numericDw = base.map((_, i) => {
        const at = (delta: number): number => {
          const v = base.slice();
          v[i] += delta;
          rt.write(kernel.values, v);
          return loss(x);
        };
        return at(0.5) - at(-0.5);
      });
      rt.release(mark);
      // Assert
      expect(maxRelError(analytic.dx, numericDx), name).toBeLessThanOrEqual(1e-4);
      expect(maxRelError(analytic.dw, numericDw), name).toBeLessThanOrEqual(1e-4);
    }
  });
});
