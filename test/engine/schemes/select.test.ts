import { describe, expect, it } from 'vitest';
import { createRng } from '../../../client/src/engine/util/rng.js';
import { bottomKIndices, kthLargest, percentileLinear, topKIndices } from '../../../client/src/engine/util/select.js';

function referenceTopK(values: ArrayLike<number>, k: number, candidate: (i: number) => boolean, largest: boolean): number[] {
  const pool = Array.from({ length: values.length }, (_, i) => i).filter(candidate);
  pool.sort((a, b) => (values[a] === values[b] ? a - b : largest ? values[b] - values[a] : values[a] - values[b]));
  return pool.slice(0, k).sort((a, b) => a - b);
}

function referencePercentile(values: number[], q: number): number {
  const sorted = [...values].sort((a, b) => a - b);
  const position = ((sorted.length - 1) * q) / 100;
  const lower = Math.floor(position);
  const upper = Math.min(lower + 1, sorted.length - 1);
  return sorted[lower] + (sorted[upper] - sorted[lower]) * (position - lower);
}

describe('topKIndices', () => {
  it('should match a full sort on random data with many ties', () => {
    const rng = createRng(7);
    for (let trial = 0; trial < 30; trial++) {
      const n = 1 + rng.int(400);
      const values = Float32Array.from({ length: n }, () => rng.int(6) / 2);
      const candidate = (i: number): boolean => i % 3 !== 1;
      const k = rng.int(n + 2);
      expect(Array.from(topKIndices(values, k, candidate))).toEqual(referenceTopK(values, k, candidate, true));
      expect(Array.from(bottomKIndices(values, k, candidate))).toEqual(referenceTopK(values, k, candidate, false));
    }
  });

  it('should break ties by the lower index', () => {
    const values = new Float32Array([1, 1, 1, 1, 1]);
    expect(Array.from(topKIndices(values, 2))).toEqual([0, 1]);
    expect(Array.from(bottomKIndices(values, 3))).toEqual([0, 1, 2]);
  });

  it('should rank NaN last in both directions', () => {
    const values = new Float32Array([NaN, 2, NaN, -1]);
    expect(Array.from(topKIndices(values, 2))).toEqual([1, 3]);
    expect(Array.from(bottomKIndices(values, 2))).toEqual([1, 3]);
  });

  it('should handle sorted inputs of realistic size', () => {
    const n = 50_000;
    const values = Float32Array.from({ length: n }, (_, i) => i);
    const top = topKIndices(values, 10);
    expect(Array.from(top)).toEqual(Array.from({ length: 10 }, (_, i) => n - 10 + i));
    expect(bottomKIndices(values, 5_000)[4_999]).toBe(4_999);
  });

  it('should clamp k to the number of candidates', () => {
    expect(topKIndices(new Float32Array([3, 1]), 5).length).toBe(2);
    expect(topKIndices(new Float32Array([3, 1]), -1).length).toBe(0);
  });
});

describe('kthLargest', () => {
  it('should return the k-th largest candidate value', () => {
    const values = new Float32Array([5, 1, 4, 4, 9, 0]);
    expect(kthLargest(values, 1)).toBe(9);
    expect(kthLargest(values, 3)).toBe(4);
    expect(kthLargest(values, 4)).toBe(4);
    expect(kthLargest(values, 2, (i) => i !== 4)).toBe(4);
    expect(() => kthLargest(values, 7)).toThrow(RangeError);
  });
});

describe('percentileLinear', () => {
  it('should match numpy linear interpolation', () => {
    expect(percentileLinear([1, 2, 3, 4], 50)).toBeCloseTo(2.5, 12);
    expect(percentileLinear([10, 0, 5], 25)).toBeCloseTo(2.5, 12);
    expect(percentileLinear([3], 90)).toBe(3);
    expect(percentileLinear([0, 0, 0, 0, 0, 0, 0, 0, 0, 1, 2], 90)).toBeCloseTo(1, 12);
  });

  it('should reproduce numpy 2.4 bit for bit, in float32 for Float32Array input and float64 otherwise', () => {
    const values = [0.1, 0.7, 0.3, 0.3, 0.9, 0.2, 0.05];
    const float32: [number, number][] = [[10, 0.07999999821186066], [33.3, 0.19979999959468842], [90, 0.7799999713897705], [99.9, 0.8987999558448792]];
    const float64: [number, number][] = [[10, 0.08000000000000002], [33.3, 0.19979999999999998], [90, 0.78], [99.9, 0.8988000000000002]];
    for (const [q, expected] of float32) expect(percentileLinear(Float32Array.from(values), q)).toBe(expected);
    for (const [q, expected] of float64) expect(percentileLinear(values, q)).toBe(expected);
  });

  it('should agree with a sorted reference on random data', () => {
    const rng = createRng(3);
    for (let trial = 0; trial < 40; trial++) {
      const values = Array.from({ length: 1 + rng.int(300) }, () => (rng.int(4) === 0 ? 0 : rng.normal()));
      const q = rng.next() * 100;
      expect(percentileLinear(Float32Array.from(values), q)).toBeCloseTo(referencePercentile(Array.from(Float32Array.from(values)), q), 6);
    }
  });

  it('should reject q outside [0, 100] and empty input', () => {
    expect(() => percentileLinear([1], 101)).toThrow(RangeError);
    expect(() => percentileLinear([], 50)).toThrow(RangeError);
  });
});
