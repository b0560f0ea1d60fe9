import { describe, expect, it } from 'vitest';
import { l2Norm, mean, meanOfPositive, percentiles, sum, variance } from '../../../client/src/engine/util/stats.js';

describe('stats', () => {
  it('should summarise typed arrays', () => {
    const values = new Float32Array([1, 2, 3, 4]);
    expect(sum(values)).toBe(10);
    expect(mean(values)).toBe(2.5);
    expect(variance(values)).toBeCloseTo(1.25, 12);
    expect(l2Norm(new Float32Array([3, 4]))).toBe(5);
    expect(mean([])).toBeNaN();
  });

  it('should average only positive entries', () => {
    expect(meanOfPositive([0, 2, -1, 4])).toBe(3);
    expect(meanOfPositive([0, 0])).toBe(0);
  });

  it('should give numpy linear percentiles', () => {
    expect(percentiles([1, 2, 3, 4, 5, 6, 7, 8, 9, 10], [50, 90])).toEqual([5.5, 9.1]);
  });
});
