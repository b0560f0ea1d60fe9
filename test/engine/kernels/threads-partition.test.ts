import { describe, expect, it } from 'vitest';
import { balancedRanges, evenRanges, rangeCount, runRanges, slicesFor } from '../../../client/src/engine/kernels/threads/partition.js';

/** The ranges tile 0..n contiguously with no empty range. */
function expectTiling(ranges: readonly (readonly [number, number])[], n: number): void {
  let next = 0;
  for (const [a, b] of ranges) {
    expect(a).toBe(next);
    expect(b).toBeGreaterThan(a);
    next = b;
  }
  expect(next).toBe(n);
}

describe('kernel work partitions', () => {
  it('should balance rows by stored entries', () => {
    // Row 0 holds 90 of 100 entries: it gets a slice to itself.
    const ptr = [0, 90, 92, 94, 96, 98, 100];
    const ranges = balancedRanges(ptr, 2);
    expectTiling(ranges, 6);
    expect(ranges[0]).toEqual([0, 1]);
  });

  it('should give fewer slices than threads when rows are fewer, never an empty one', () => {
    expectTiling(balancedRanges([0, 3, 5], 8), 2);
    expect(balancedRanges([0, 3, 5], 8).length).toBeLessThanOrEqual(2);
    expect(balancedRanges([0], 4)).toEqual([]);
    expectTiling(balancedRanges([0, 0, 0, 0], 2), 3);
  });

  it('should align range starts', () => {
    const ranges = evenRanges(10, 3, 4);
    expectTiling(ranges, 10);
    for (const [a] of ranges) expect(a % 4).toBe(0);
  });

  it('should cut entry ranges only where the run key changes', () => {
    const keys = [0, 0, 0, 1, 1, 2, 2, 2, 2, 3];
    const ranges = runRanges(keys, 3);
    expectTiling(ranges, keys.length);
    for (const [a] of ranges) if (a > 0) expect(keys[a]).not.toBe(keys[a - 1]);
    expect(runRanges([], 2)).toEqual([]);
  });

  it('should cut a layer into 16 ranges per thread, one on one thread, at most the slice limit', () => {
    expect(rangeCount(1, 128)).toBe(1);
    expect(rangeCount(2, 128)).toBe(32);
    expect(rangeCount(8, 64)).toBe(64);
  });

  describe('slices of one call', () => {
    const fine = evenRanges(320, 32); // 32 ranges of 10 rows
    const rule = { threads: 2, minWork: 1000, minSliceWork: 10 };

    it('should keep a call below the work threshold, or on one thread, whole', () => {
      expect(slicesFor(fine, 999, rule)).toEqual([[0, 320]]);
      expect(slicesFor(fine, 1e9, { ...rule, threads: 1 })).toEqual([[0, 320]]);
      expect(slicesFor([[0, 5]], 1e9, rule)).toEqual([[0, 5]]);
      expect(slicesFor([], 1e9, rule)).toEqual([]);
    });

    it('should hand out big slices first and small ones last (guided), tiling the rows at range starts', () => {
      const slices = slicesFor(fine, 1e6, rule);
      expectTiling(slices, 320);
      const sizes = slices.map(([a, b]) => b - a);
      // 32 ranges: each slice takes a quarter (1 / (2·threads)) of the ranges left, at least one.
      expect(sizes).toEqual([80, 60, 50, 40, 30, 20, 10, 10, 10, 10]);
      for (const [a] of slices) expect(a % 10).toBe(0);
    });

    it('should merge ranges so no slice falls under the least slice work', () => {
      // 3,200 work over 32 ranges = 100 per range; a slice needs 800 = 8 ranges.
      const slices = slicesFor(fine, 3200, { ...rule, minSliceWork: 800 });
      expectTiling(slices, 320);
      expect(slices.map(([a, b]) => b - a)).toEqual([80, 80, 80, 80]);
      expect(slicesFor(fine, 3200, { ...rule, minSliceWork: 1e6 })).toEqual([[0, 320]]);
    });

    it('should give ragged layers (fewer rows than ranges) one slice per row at most', () => {
      const ragged = balancedRanges([0, 4, 9, 9], 32);
      expect(ragged.length).toBeLessThanOrEqual(3);
      const slices = slicesFor(ragged, 1e6, rule);
      expectTiling(slices, 3);
      expect(slices.length).toBe(ragged.length);
    });

    it('should return the same slices for the same ranges and work (memoized per mask)', () => {
      expect(slicesFor(fine, 1e6, rule)).toBe(slicesFor(fine, 1e6, rule));
    });
  });
});
