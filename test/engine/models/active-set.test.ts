// The compressed storage's active set: the same mask back in either representation, whichever is smaller.
import { describe, expect, it } from 'vitest';
import { ActiveSet } from '../../../client/src/engine/models/storage/active-set.js';
import { createRng } from '../../../client/src/engine/util/rng.js';

function randomPositions(size: number, density: number, seed: number): number[] {
  const rng = createRng(seed);
  const positions: number[] = [];
  for (let i = 0; i < size; i++) if (rng.next() < density) positions.push(i);
  // Value order is the format's, not ascending.
  return positions.sort(() => rng.next() - 0.5);
}

describe('ActiveSet', () => {
  it.each([
    [1003, 0.5, 126],
    [1003, 0.1, 126],
    [10_000, 0.01, 10_000 * 0.01 * 4],
    [17, 1, 3],
  ])('should give back the mask of %i positions at density %f in the smaller form', (size, density, expectedBytes) => {
    const positions = randomPositions(size, density, size);
    const set = ActiveSet.fromPositions(size, positions);
    const expected = new Uint8Array(size);
    for (const p of positions) expected[p] = 1;
    expect(set.toMask()).toEqual(expected);
    expect(set.count).toBe(positions.length);
    const bytes = Math.min(Math.ceil(size / 8), positions.length * 4);
    expect(set.bytes).toBe(bytes);
    expect(Math.abs(set.bytes - expectedBytes)).toBeLessThanOrEqual(expectedBytes * 0.25);
  });

  it('should hold an empty set', () => {
    const set = ActiveSet.fromPositions(40, []);
    expect(set.count).toBe(0);
    expect(set.toMask()).toEqual(new Uint8Array(40));
  });
});
