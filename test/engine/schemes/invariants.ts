// Scheme-independent checks shared by the scheme tests: exact counts, conformance after every operation, prune keeps
// only active positions, grow activates only inactive ones, inputs are never mutated.
import { expect } from 'vitest';
import type { SparsityScheme } from '../../../client/src/engine/sparse/schemes/types.js';
import { countActive, layerSize, type LayerShape, type Mask } from '../../../client/src/engine/sparse/types.js';
import { createRng, type Rng } from '../../../client/src/engine/util/rng.js';

export function randomScores(size: number, rng: Rng): Float32Array {
  return Float32Array.from({ length: size }, () => Math.abs(rng.normal()));
}

export function isSubset(inner: Mask, outer: Mask): boolean {
  return inner.every((value, i) => value === 0 || outer[i] === 1);
}

function prune(scheme: SparsityScheme, shape: LayerShape, mask: Mask, score: Float32Array, keep: number): Mask {
  const maskCopy = Uint8Array.from(mask);
  const scoreCopy = Float32Array.from(score);
  const next = scheme.prune({ shape, mask, score, keep });
  expect(next).not.toBe(mask);
  expect(mask).toEqual(maskCopy);
  expect(score).toEqual(scoreCopy);
  expect(isSubset(next, mask)).toBe(true);
  expect(scheme.conforms(shape, next)).toBe(true);
  return next;
}

function grow(scheme: SparsityScheme, shape: LayerShape, mask: Mask, score: Float32Array | undefined, count: number, rng: Rng): Mask {
  const maskCopy = Uint8Array.from(mask);
  const next = scheme.grow({ shape, mask, score, count, rng });
  expect(next).not.toBe(mask);
  expect(mask).toEqual(maskCopy);
  expect(isSubset(mask, next)).toBe(true);
  expect(scheme.conforms(shape, next)).toBe(true);
  return next;
}

/** Runs project → prune → grow → prune cycles on one shape and checks every invariant after each operation. */
export function checkSchemeInvariants(scheme: SparsityScheme, shape: LayerShape, seed = 1): void {
  const rng = createRng(seed);
  const size = layerSize(shape);
  const group = scheme.groupSize(shape);
  const empty = new Uint8Array(size);

  // project: exact counts for several targets, including 0, a non-multiple of the group size and everything.
  for (const keep of [0, 1, Math.floor(size / 3), size / 2 + 1, size]) {
    const mask = scheme.project(shape, randomScores(size, rng), keep, rng);
    expect(countActive(mask)).toBe(scheme.roundCount(shape, keep));
    expect(scheme.roundCount(shape, keep) % group).toBe(0);
    expect(scheme.conforms(shape, mask)).toBe(true);
  }

  const start = scheme.project(shape, randomScores(size, rng), size / 4, rng);
  const active = countActive(start);

  // prune: exact to any target not above the active count; never grows.
  for (const keep of [0, group, active / 2, active - 1, active, size]) {
    const next = prune(scheme, shape, start, randomScores(size, rng), keep);
    expect(countActive(next)).toBe(Math.min(scheme.roundCount(shape, keep), active));
  }

  // grow (the start mask leaves room): one group exactly, with scores and at random; growing "everything" fills the room and a second grow adds
  // nothing.
  for (const score of [randomScores(size, rng), undefined]) {
    const one = grow(scheme, shape, start, score, group, rng);
    expect(countActive(one) - active).toBe(scheme.roundCount(shape, group));
    const filled = grow(scheme, shape, start, score, size, rng);
    expect(countActive(filled) - active).toBeLessThanOrEqual(scheme.roundCount(shape, size));
    expect(countActive(grow(scheme, shape, filled, score, size, rng))).toBe(countActive(filled));
  }

  // empty mask: prune stays empty, grow from empty is exact.
  expect(countActive(prune(scheme, shape, empty, randomScores(size, rng), size))).toBe(0);
  const grownFromEmpty = grow(scheme, shape, empty, randomScores(size, rng), size / 3, rng);
  expect(countActive(grownFromEmpty)).toBe(scheme.roundCount(shape, size / 3));
  const randomFromEmpty = grow(scheme, shape, empty, undefined, size / 3, rng);
  expect(countActive(randomFromEmpty)).toBe(scheme.roundCount(shape, size / 3));

  // full mask: prune to a target is exact and conforming (pattern: the MEST harden step from dense weights).
  const full = new Uint8Array(size).fill(1);
  const hardened = prune(scheme, shape, full, randomScores(size, rng), size / 4);
  expect(countActive(hardened)).toBe(scheme.roundCount(shape, size / 4));

  // a prune/grow cycle keeps the count (an EM-style mutation).
  const pruned = prune(scheme, shape, hardened, randomScores(size, rng), countActive(hardened) - group);
  const regrown = grow(scheme, shape, pruned, undefined, countActive(hardened) - countActive(pruned), rng);
  expect(countActive(regrown)).toBe(countActive(hardened));
}
