import { describe, expect, it } from 'vitest';
import { IrregularScheme } from '../../../client/src/engine/sparse/schemes/irregular.js';
import { createScheme } from '../../../client/src/engine/sparse/schemes/registry.js';
import { SCHEME_NAMES, type SchemeName } from '../../../client/src/engine/sparse/schemes/types.js';
import { convShape, countActive, linearShape } from '../../../client/src/engine/sparse/types.js';
import { createRng } from '../../../client/src/engine/util/rng.js';
import { checkSchemeInvariants } from './invariants.js';

describe(IrregularScheme.name, () => {
  const sut = new IrregularScheme();

  it.each([linearShape(10, 7), convShape(6, 5, 3, 3), linearShape(1, 3), convShape(3, 2, 1, 1)])(
    'should keep every invariant on shape %o',
    (shape) => checkSchemeInvariants(sut, shape, 11),
  );

  it('should keep the highest-scored active weights when pruning', () => {
    const shape = linearShape(2, 3);
    const mask = new Uint8Array([1, 1, 0, 1, 1, 1]);
    const score = new Float32Array([5, 1, 9, 3, 2, 4]);
    expect(Array.from(sut.prune({ shape, mask, score, keep: 3 }))).toEqual([1, 0, 0, 1, 0, 1]);
  });

  it('should grow the highest-scored inactive weights, or random ones deterministically per seed', () => {
    const shape = linearShape(2, 3);
    const mask = new Uint8Array([1, 0, 0, 1, 0, 0]);
    const score = new Float32Array([9, 1, 3, 9, 2, 0]);
    expect(Array.from(sut.grow({ shape, mask, score, count: 2, rng: createRng(1) }))).toEqual([1, 0, 1, 1, 1, 0]);
    const a = sut.grow({ shape, mask, score: undefined, count: 2, rng: createRng(5) });
    const b = sut.grow({ shape, mask, score: undefined, count: 2, rng: createRng(5) });
    expect(a).toEqual(b);
    expect(countActive(a)).toBe(4);
  });

  it('should report |score| of active elements as group scores', () => {
    const scores = sut.groupScores(linearShape(1, 3), new Uint8Array([1, 0, 1]), new Float32Array([-2, 5, 3]));
    expect(Array.from(scores)).toEqual([2, 0, 3]);
  });

  it('should reject arrays of the wrong length', () => {
    expect(() => sut.prune({ shape: linearShape(2, 2), mask: new Uint8Array(3), score: new Float32Array(4), keep: 1 })).toThrow(/mask has 3 entries/);
  });
});

describe('createScheme', () => {
  it('should create every named scheme', () => {
    for (const name of SCHEME_NAMES) expect(createScheme(name).name).toBe(name);
  });

  it('should reject unknown names, listing the valid ones', () => {
    expect(() => createScheme('diagonal' as SchemeName)).toThrow(/Unknown sparsity scheme "diagonal".*irregular, pattern/);
  });
});
