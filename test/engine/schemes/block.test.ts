import { describe, expect, it } from 'vitest';
import { BlockScheme } from '../../../client/src/engine/sparse/schemes/block.js';
import { convShape, linearShape } from '../../../client/src/engine/sparse/types.js';
import { createRng } from '../../../client/src/engine/util/rng.js';
import { checkSchemeInvariants } from './invariants.js';

describe(BlockScheme.name, () => {
  const sut = new BlockScheme();

  it.each([convShape(8, 3, 3, 3), linearShape(12, 5), convShape(4, 2, 1, 1), linearShape(16, 9)])(
    'should keep every invariant on shape %o',
    (shape) => checkSchemeInvariants(sut, shape, 3),
  );

  it('should refuse layers whose output count is not a multiple of 4', () => {
    expect(sut.unsupportedReason(linearShape(6, 4))).toMatch(/not divisible by 4/);
    expect(sut.unsupportedReason(convShape(8, 3, 3, 3))).toBeUndefined();
    expect(() => sut.groupSize(linearShape(6, 4))).toThrow(/cannot structure/);
  });

  it('should group 4 consecutive rows at one column of the flattened view', () => {
    // 8 rows × 2 columns; the best block is rows 4..7 of column 1.
    const shape = linearShape(8, 2);
    const score = new Float32Array(16);
    for (const row of [4, 5, 6, 7]) score[row * 2 + 1] = 1;
    const mask = sut.project(shape, score, 4, createRng(1));
    expect(Array.from(mask)).toEqual([0, 0, 0, 0, 0, 0, 0, 0, 0, 1, 0, 1, 0, 1, 0, 1]);
    expect(sut.groupSize(shape)).toBe(4);
    expect(sut.roundCount(shape, 6.1)).toBe(8);
  });

  it('should treat a block with any active entry as non-empty and reject partial blocks', () => {
    // 4 rows × 2 columns: column 1 is a full block; column 0 is full or partial (row 1 off).
    const shape = linearShape(4, 2);
    expect(sut.conforms(shape, new Uint8Array([1, 1, 1, 1, 1, 1, 1, 1]))).toBe(true);
    const partial = new Uint8Array([1, 1, 0, 1, 1, 1, 1, 1]);
    expect(sut.conforms(shape, partial)).toBe(false);
    expect(Array.from(sut.grow({ shape, mask: partial, score: undefined, count: 4, rng: createRng(1) }))).toEqual(Array.from(partial));
  });

  it('should score a block by the L2 norm of its active entries', () => {
    const shape = linearShape(4, 2);
    const scores = sut.groupScores(shape, new Uint8Array(8).fill(1), new Float32Array([1, 0, 2, 0, 2, 0, 4, 0]));
    expect(scores[0]).toBeCloseTo(5, 6);
    expect(scores[1]).toBe(0);
  });
});
