import { describe, expect, it } from 'vitest';
import { balancedRanges, evenRanges, runRanges } from '../../../client/src/engine/kernels/threads/partition.js';

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
});
