import { describe, expect, it } from 'vitest';
import { backoffDelay } from '../../client/src/agent/connection.js';

const BACKOFF = { reconnectionDelayMs: 100, reconnectionDelayMaxMs: 1000, randomizationFactor: 0.5 };

describe('backoffDelay', () => {
  it('should double from the first delay up to the cap when there is no jitter', () => {
    const sut = (attempt: number) => backoffDelay(attempt, { ...BACKOFF, randomizationFactor: 0 });
    expect([1, 2, 3, 4, 5, 10].map(sut)).toEqual([100, 200, 400, 800, 1000, 1000]);
  });

  it('should spread each delay by at most the randomization factor', () => {
    expect(backoffDelay(3, BACKOFF, () => 0)).toBe(200);
    expect(backoffDelay(3, BACKOFF, () => 0.5)).toBe(400);
    expect(backoffDelay(3, BACKOFF, () => 0.999999)).toBe(600);
    expect(backoffDelay(20, BACKOFF, () => 0.999999)).toBeLessThanOrEqual(1000);
  });
});
