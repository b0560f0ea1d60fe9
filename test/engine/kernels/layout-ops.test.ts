import { beforeAll, describe, expect, it } from 'vitest';
import type { KernelRuntime } from '../../../client/src/engine/kernels/runtime.js';
import { loadRuntime, maxRelError, randomArray, rng } from './helpers.js';

describe('layout and pointwise kernels', () => {
  let rt: KernelRuntime;

  beforeAll(async () => {
    rt = await loadRuntime();
  });

  it.each([
    [3, 5, 7],
    [17, 1, 9],
    [1, 4, 33],
    [64, 49, 3],
  ])('should reverse the axes of a %i×%i×%i array', (d0, d1, d2) => {
    // Prepare
    const src = randomArray(rng(d0 * 100 + d2), d0 * d1 * d2);
    const expected = new Float32Array(src.length);
    for (let i = 0; i < d0; i++) for (let j = 0; j < d1; j++) for (let k = 0; k < d2; k++) expected[(k * d1 + j) * d0 + i] = src[(i * d1 + j) * d2 + k];

    // Execute
    const actual = rt.scratch(() => {
      const from = rt.uploadF32(src);
      const to = rt.allocF32(src.length);
      rt.raw.reverse3(d0, d1, d2, from.ptr, to.ptr);
      return rt.read(to);
    });

    // Assert
    expect(Array.from(actual)).toEqual(Array.from(expected));
  });

  it('should swap the two outer axes while moving whole batch runs', () => {
    // Prepare
    const [d0, d1, m] = [3, 4, 5];
    const src = randomArray(rng(4), d0 * d1 * m);

    // Execute
    const actual = rt.scratch(() => {
      const from = rt.uploadF32(src);
      const to = rt.allocF32(src.length);
      rt.raw.swapOuterAxes(d0, d1, m, from.ptr, to.ptr);
      return rt.read(to);
    });

    // Assert
    for (let i = 0; i < d0; i++) {
      for (let j = 0; j < d1; j++) {
        expect(Array.from(actual.subarray((j * d0 + i) * m, (j * d0 + i + 1) * m))).toEqual(Array.from(src.subarray((i * d1 + j) * m, (i * d1 + j + 1) * m)));
      }
    }
  });

  it('should apply gate, bias and ReLU per row, and their backward passes', () => {
    // Prepare
    const [rows, len] = [3, 7];
    const y = randomArray(rng(5), rows * len);
    const dy = randomArray(rng(6), rows * len);
    const gate = Float32Array.of(2, 0, -1);
    const bias = Float32Array.of(0.5, 0.25, -0.125);

    // Execute
    const [out, masked, sums, scaled] = rt.scratch(() => {
      const yb = rt.uploadF32(y);
      const g = rt.uploadF32(gate);
      const b = rt.uploadF32(bias);
      rt.raw.rowAffine(rows, len, g.ptr, b.ptr, true, yb.ptr);
      const d = rt.uploadF32(dy);
      rt.raw.reluBackward(rows * len, yb.ptr, d.ptr);
      const relu = rt.read(d);
      const s = rt.allocF32(rows);
      rt.raw.rowSums(rows, len, d.ptr, s.ptr);
      rt.raw.scaleRows(rows, len, g.ptr, d.ptr);
      return [rt.read(yb), relu, rt.read(s), rt.read(d)];
    });

    // Assert
    for (let r = 0; r < rows; r++) {
      let sum = 0;
      for (let c = 0; c < len; c++) {
        const i = r * len + c;
        expect(out[i]).toBeCloseTo(Math.max(0, y[i] * gate[r] + bias[r]), 6);
        expect(masked[i]).toBe(out[i] > 0 ? dy[i] : 0);
        expect(scaled[i]).toBeCloseTo(masked[i] * gate[r], 6);
        sum += masked[i];
      }
      expect(sums[r]).toBeCloseTo(sum, 5);
    }
  });

  it('should max-pool 2×2 and route the gradient to the first maximum of each window, as PyTorch', () => {
    // Prepare: 1 channel, 3×4 image (last row uncovered), batch 5; window (0,0) ties in batch column 0.
    const [c, h, w, m] = [1, 3, 4, 5];
    const x = randomArray(rng(7), c * h * w * m);
    const at = (yy: number, xx: number, b: number) => (yy * w + xx) * m + b;
    x[at(0, 0, 0)] = 3;
    x[at(0, 1, 0)] = 3;
    x[at(1, 0, 0)] = 3;
    const dy = Float32Array.from({ length: c * (h >> 1) * (w >> 1) * m }, (_, i) => i + 1);

    // Execute
    const [y, dx] = rt.scratch(() => {
      const xb = rt.uploadF32(x);
      const yb = rt.allocF32(dy.length);
      rt.raw.maxPool2x2(c, h, w, m, xb.ptr, yb.ptr);
      const db = rt.uploadF32(dy);
      const dxb = rt.allocF32(x.length);
      rt.raw.maxPool2x2Backward(c, h, w, m, xb.ptr, yb.ptr, db.ptr, dxb.ptr, false, 0);
      return [rt.read(yb), rt.read(dxb)];
    });

    // Assert
    for (let px = 0; px < w >> 1; px++) {
      for (let b = 0; b < m; b++) {
        const window = [at(0, 2 * px, b), at(0, 2 * px + 1, b), at(1, 2 * px, b), at(1, 2 * px + 1, b)];
        const values = window.map((i) => x[i]);
        const top = Math.max(...values);
        const o = px * m + b;
        expect(y[o]).toBe(Math.fround(top));
        const first = values.findIndex((v) => v === top);
        window.forEach((i, k) => expect(dx[i]).toBe(k === first ? dy[o] : 0));
      }
    }
    for (let xx = 0; xx < w; xx++) for (let b = 0; b < m; b++) expect(dx[at(2, xx, b)]).toBe(0);
  });
  it.each([
    [3, 4, 6, 8],
    [2, 5, 4, 5],
    [1, 2, 3, 4],
  ])('should apply a ReLU backward inside the max-pool backward as reluBackward after it, bit for bit, and sum each channel of dx (%i ch, %i×%i, M=%i)', (c, h, w, m) => {
    // Prepare: a ReLU output (about half the values 0, so some windows have maximum 0) and garbage in dx beforehand.
    const x = randomArray(rng(c * 1000 + h * 10 + m), c * h * w * m).map((v) => Math.max(v, 0));
    const dy = randomArray(rng(5 + m), c * (h >> 1) * (w >> 1) * m);

    // Execute
    const [separate, fused, sums] = rt.scratch(() => {
      const xb = rt.uploadF32(x);
      const yb = rt.allocF32(dy.length);
      rt.raw.maxPool2x2(c, h, w, m, xb.ptr, yb.ptr);
      const db = rt.uploadF32(dy);
      const sb = rt.uploadF32(new Float32Array(c).fill(7));
      const run = (relu: boolean): Float32Array => {
        const dxb = rt.uploadF32(new Float32Array(x.length).fill(7));
        rt.raw.maxPool2x2Backward(c, h, w, m, xb.ptr, yb.ptr, db.ptr, dxb.ptr, relu, relu ? sb.ptr : 0);
        if (!relu) rt.raw.reluBackward(x.length, xb.ptr, dxb.ptr);
        return rt.read(dxb);
      };
      return [run(false), run(true), rt.read(sb)];
    });

    // Assert
    expect(x.some((v, i) => v === 0 && i % 4 === 0)).toBe(true);
    expect(fused).toEqual(separate);
    expect(Array.from(fused).every((v) => v !== 7)).toBe(true);
    const plane = h * w * m;
    const rowSums = Float32Array.from({ length: c }, (_, ch) => fused.subarray(ch * plane, (ch + 1) * plane).reduce((a, v) => a + v, 0));
    expect(maxRelError(sums, rowSums)).toBeLessThanOrEqual(1e-5);
  });
  it.each([
    [3, 4, 6, 8, true],
    [2, 5, 4, 5, true],
    [2, 4, 4, 12, false],
    [1, 3, 5, 3, false],
    [2, 4, 6, 20, true],
    [1, 2, 2, 64, false],
  ])('should pool and route from position codes exactly as from the pool input (%i ch, %i×%i, M=%i, relu %s)', (c, h, w, m, relu) => {
    // Prepare: ReLU-like inputs with zeros and ties (values on a coarse grid), a NaN, and garbage in dx beforehand.
    const r = rng(c * 77 + h * 7 + m);
    const x = randomArray(r, c * h * w * m).map((v) => (relu ? Math.max(Math.round(v * 4) / 4, 0) : Math.round(v * 4) / 4));
    x[5] = Number.NaN;
    const dy = randomArray(r, c * (h >> 1) * (w >> 1) * m);

    // Execute
    const out = rt.scratch(() => {
      const xb = rt.uploadF32(x);
      const db = rt.uploadF32(dy);
      const run = (codes: boolean) => {
        const yb = rt.allocF32(dy.length);
        const dxb = rt.uploadF32(new Float32Array(x.length).fill(7));
        const sb = rt.allocF32(c);
        if (codes) {
          const at = rt.allocI32(Math.ceil(dy.length / 4));
          rt.raw.maxPool2x2Argmax(c, h, w, m, xb.ptr, yb.ptr, at.ptr);
          rt.raw.maxPool2x2BackwardAt(c, h, w, m, at.ptr, db.ptr, dxb.ptr, relu, sb.ptr);
        } else {
          rt.raw.maxPool2x2(c, h, w, m, xb.ptr, yb.ptr);
          rt.raw.maxPool2x2Backward(c, h, w, m, xb.ptr, yb.ptr, db.ptr, dxb.ptr, relu, sb.ptr);
        }
        return { y: rt.read(yb), dx: rt.read(dxb), sums: rt.read(sb) };
      };
      return { before: run(false), after: run(true) };
    });

    // Assert
    expect(out.after.y).toEqual(out.before.y);
    expect(out.after.dx).toEqual(out.before.dx);
    expect(out.after.sums).toEqual(out.before.sums);
  });
});
