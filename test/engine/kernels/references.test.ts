import { describe, expect, it } from 'vitest';
import { buildCsr } from '../../../client/src/engine/kernels/formats/csr.js';
import { buildPatternConv } from '../../../client/src/engine/kernels/formats/pattern.js';
import type { SparseFormat } from '../../../client/src/engine/kernels/formats/types.js';
import {
  referenceConvBackwardData,
  referenceConvForward,
  referenceConvWeightGrad,
} from '../../../client/src/engine/kernels/reference/conv.js';
import {
  referenceDenseLinear,
  referenceLinearBackwardData,
  referenceLinearForward,
  referenceLinearWeightGrad,
} from '../../../client/src/engine/kernels/reference/linear.js';
import { hasWasmSimd } from '../../../client/src/engine/kernels/reference/simd.js';
import { convShape } from '../../../client/src/engine/sparse/types.js';
import { irregularMask, masked, maxRelError, patternMask, randomArray, rng } from './helpers.js';

/** Dense 'same' conv written from the definition, NHWC-free: x[C][H][W][M], w[O][C][kh][kw]. */
function naiveConv(w: Float32Array, O: number, C: number, kh: number, kw: number, x: Float32Array, H: number, W: number, M: number): Float32Array {
  const y = new Float32Array(O * H * W * M);
  const ph = Math.floor((kh - 1) / 2);
  const pw = Math.floor((kw - 1) / 2);
  for (let o = 0; o < O; o++) {
    for (let py = 0; py < H; py++) {
      for (let px = 0; px < W; px++) {
        for (let m = 0; m < M; m++) {
          let s = 0;
          for (let c = 0; c < C; c++) {
            for (let r = 0; r < kh; r++) {
              for (let q = 0; q < kw; q++) {
                const iy = py + r - ph;
                const ix = px + q - pw;
                if (iy < 0 || iy >= H || ix < 0 || ix >= W) continue;
                s += w[((o * C + c) * kh + r) * kw + q] * x[((c * H + iy) * W + ix) * M + m];
              }
            }
          }
          y[((o * H + py) * W + px) * M + m] = s;
        }
      }
    }
  }
  return y;
}

function numericGradient(values: Float32Array, loss: (v: Float32Array) => number): Float32Array {
  return values.map((_, i) => {
    const plus = values.slice();
    const minus = values.slice();
    plus[i] += 0.5;
    minus[i] -= 0.5;
    return loss(plus) - loss(minus);
  });
}

const dotWith = (a: Float32Array, b: Float32Array): number => a.reduce((s, v, i) => s + v * b[i], 0);

describe('reference kernels', () => {
  it('should make the sparse linear forward equal the dense product of the masked weight', () => {
    const r = rng(1);
    const w = randomArray(r, 6 * 7);
    const mask = irregularMask(r, 6, 7, 0.4);
    const x = randomArray(r, 7 * 5);
    const f: SparseFormat = { kind: 'csr', matrix: buildCsr(w, mask, 6, 7) };
    expect(maxRelError(referenceLinearForward(f, x, 5), referenceDenseLinear(masked(w, mask), 6, 7, x, 5))).toBeLessThan(1e-6);
  });

  it('should make the linear backward references the gradients of Σ G ⊙ forward', () => {
    // Prepare
    const r = rng(2);
    const mask = irregularMask(r, 3, 4, 0.7);
    const f: SparseFormat = { kind: 'csr', matrix: buildCsr(randomArray(r, 12), mask, 3, 4) };
    const x = randomArray(r, 4 * 2);
    const g = randomArray(r, 3 * 2);
    // Execute
    const dx = numericGradient(x, (v) => dotWith(referenceLinearForward(f, v, 2), g));
    const dw = numericGradient(f.matrix.values, (v) => dotWith(referenceLinearForward(f, x, 2, v), g));
    // Assert
    expect(maxRelError(referenceLinearBackwardData(f, g, 2), dx)).toBeLessThan(1e-5);
    expect(maxRelError(referenceLinearWeightGrad(f, x, g, 2), dw)).toBeLessThan(1e-5);
  });

  it.each([
    { kh: 3, kw: 3 },
    { kh: 1, kw: 1 },
    { kh: 2, kw: 4 },
  ])('should make the sparse conv forward equal a naive dense $kh×$kw conv with TF same padding', ({ kh, kw }) => {
    const r = rng(3);
    const [O, C, H, W, M] = [3, 2, 5, 4, 3];
    const w = randomArray(r, O * C * kh * kw);
    const mask = irregularMask(r, O, C * kh * kw, 0.5);
    const x = randomArray(r, C * H * W * M);
    const f: SparseFormat = { kind: 'csr', matrix: buildCsr(w, mask, O, C * kh * kw) };
    const expected = naiveConv(masked(w, mask), O, C, kh, kw, x, H, W, M);
    expect(maxRelError(referenceConvForward(f, { kh, kw }, x, { height: H, width: W, batch: M }), expected)).toBeLessThan(1e-6);
  });

  it('should make the conv backward references the gradients of Σ G ⊙ forward', () => {
    // Prepare
    const r = rng(4);
    const [O, C, H, W, M] = [2, 2, 4, 3, 2];
    const mask = patternMask(r, O, C, 0.8);
    const f: SparseFormat = { kind: 'pattern', matrix: buildPatternConv(convShape(O, C, 3, 3), randomArray(r, O * C * 9), mask) };
    const g3 = { kh: 3, kw: 3 };
    const geo = { height: H, width: W, batch: M };
    const x = randomArray(r, C * H * W * M);
    const g = randomArray(r, O * H * W * M);
    // Execute
    const dx = numericGradient(x, (v) => dotWith(referenceConvForward(f, g3, v, geo), g));
    const dw = numericGradient(f.matrix.values, (v) => dotWith(referenceConvForward(f, g3, x, geo, v), g));
    // Assert
    expect(maxRelError(referenceConvBackwardData(f, g3, g, geo), dx)).toBeLessThan(1e-5);
    expect(maxRelError(referenceConvWeightGrad(f, g3, x, g, geo), dw)).toBeLessThan(1e-5);
  });

  it('should detect WebAssembly SIMD in Node 20', () => {
    expect(hasWasmSimd()).toBe(true);
  });
});
