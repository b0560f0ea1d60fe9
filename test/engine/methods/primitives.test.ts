import { describe, expect, it } from 'vitest';
import { ArrayLayer } from '../../../client/src/engine/sparse/array-layer.js';
import { globalKeepCounts } from '../../../client/src/engine/sparse/methods/global-prune.js';
import { rescaleDensities } from '../../../client/src/engine/sparse/methods/layers.js';
import { pruneAndGrow, MaskInvariantError } from '../../../client/src/engine/sparse/methods/prune-and-grow.js';
import { allocateProportionally, redistributeGrowth } from '../../../client/src/engine/sparse/methods/redistribution.js';
import { magnitudeAndNegativityScore, magnitudeScore, mestImportanceScore } from '../../../client/src/engine/sparse/methods/scores.js';
import { createScheme } from '../../../client/src/engine/sparse/schemes/registry.js';
import type { SparsityScheme } from '../../../client/src/engine/sparse/schemes/types.js';
import { convShape, countActive, linearShape } from '../../../client/src/engine/sparse/types.js';
import { createRng } from '../../../client/src/engine/util/rng.js';

describe('pruneAndGrow', () => {
  const irregular = createScheme('irregular');

  function layer(): ArrayLayer {
    const weights = Float32Array.from({ length: 20 }, (_, i) => (i + 1) * (i % 2 ? -1 : 1));
    const mask = Uint8Array.from({ length: 20 }, (_, i) => (i < 10 ? 1 : 0));
    return new ArrayLayer('fc', linearShape(4, 5), { weights, mask });
  }

  it('should drop the weakest, grow the best inactive and call setMask once', () => {
    const sut = layer();
    const growScore = Float32Array.from({ length: 20 }, (_, i) => i);
    const result = pruneAndGrow(sut, { scheme: irregular, pruneTo: 7, growCount: 3, dropScore: magnitudeScore(sut.readWeights()), growScore, rng: createRng(1) });
    expect(result).toMatchObject({ pruned: 3, grown: 3, active: 10 });
    expect(sut.maskWrites).toBe(1);
    const mask = sut.mask;
    expect([0, 1, 2].map((i) => mask[i])).toEqual([0, 0, 0]);
    expect([17, 18, 19].map((i) => mask[i])).toEqual([1, 1, 1]);
    expect([17, 18, 19].map((i) => sut.readWeights()[i])).toEqual([0, 0, 0]);
  });

  it('should let dropped positions be regrown, keeping their value, without a mask write', () => {
    const sut = layer();
    const before = sut.readWeights();
    const growScore = Float32Array.from({ length: 20 }, (_, i) => (i === 0 ? 100 : 0));
    const result = pruneAndGrow(sut, { scheme: irregular, pruneTo: 9, growCount: 1, dropScore: magnitudeScore(before), growScore, rng: createRng(1) });
    expect(result).toMatchObject({ pruned: 0, grown: 0, active: 10, regrown: 1 });
    expect(sut.maskWrites).toBe(0);
    expect(sut.readWeights()[0]).toBe(before[0]);
  });

  it('should accept a grow count that depends on the pruned count', () => {
    const sut = layer();
    const result = pruneAndGrow(sut, { scheme: irregular, pruneTo: 4, growCount: (kept) => 12 - kept, dropScore: magnitudeScore(sut.readWeights()), growScore: undefined, rng: createRng(3) });
    expect(result.active).toBe(12);
    expect(countActive(sut.mask)).toBe(12);
  });

  it('should fail loudly when a scheme breaks the invariants', () => {
    const sut = layer();
    const broken: SparsityScheme = { ...irregular, name: 'irregular', prune: ({ mask }) => Uint8Array.from(mask, () => 1), unsupportedReason: () => undefined, roundCount: irregular.roundCount.bind(irregular), activeCountAt: irregular.activeCountAt.bind(irregular), groupSize: () => 1 };
    expect(() => pruneAndGrow(sut, { scheme: broken, pruneTo: 5, growCount: 0, dropScore: new Float32Array(20), growScore: undefined, rng: createRng(1) })).toThrow(MaskInvariantError);
  });

  it('should keep structured layers conforming with exact rounded counts', () => {
    const block = createScheme('block');
    const shape = convShape(8, 4, 3, 3);
    const rng = createRng(5);
    const weights = Float32Array.from({ length: 288 }, () => rng.normal());
    const sut = new ArrayLayer('conv', shape, { weights, mask: block.project(shape, magnitudeScore(weights), 120, rng) });
    const active = countActive(sut.mask);
    const result = pruneAndGrow(sut, { scheme: block, pruneTo: active - 40, growCount: 40, dropScore: magnitudeScore(sut.readWeights()), growScore: undefined, rng });
    expect(result.active).toBe(active);
    expect(block.conforms(shape, sut.mask)).toBe(true);
  });
});

describe('scores', () => {
  it('should add λ|g| to |w| only when λ > 0', () => {
    const w = Float32Array.from([-1, 2]);
    const g = Float32Array.from([3, -4]);
    expect(Array.from(mestImportanceScore(w, g, 0))).toEqual([1, 2]);
    expect(Array.from(mestImportanceScore(w, g, 0.5))).toEqual([2.5, 4]);
    expect(Array.from(mestImportanceScore(w, undefined, 0.5))).toEqual([1, 2]);
  });

  it('should rank SET removal by smallest magnitude and most negative, interleaved', () => {
    const w = Float32Array.from([0.1, -5, 3, -0.2, 4, -1]);
    const mask = Uint8Array.from([1, 1, 1, 1, 1, 0]);
    const score = magnitudeAndNegativityScore(w, mask);
    expect(score[5]).toBe(-1);
    // Two removals: the smallest |w| (0.1) and the most negative (−5).
    const order = Array.from(score).map((s, i) => [s, i]).filter(([s]) => s >= 0).sort((a, b) => a[0] - b[0] || a[1] - b[1]).map(([, i]) => i);
    expect(order.slice(0, 2).sort()).toEqual([0, 1]);
  });
});

describe('globalKeepCounts', () => {
  it('should share one magnitude ranking across layers and keep only active weights', () => {
    const irregular = createScheme('irregular');
    const a = new ArrayLayer('a', linearShape(1, 4), { weights: Float32Array.from([9, 8, 1, 0.5]) });
    const b = new ArrayLayer('b', linearShape(1, 4), { weights: Float32Array.from([7, 0.1, 0.2, 6]), mask: Uint8Array.from([1, 1, 1, 0]) });
    const counts = globalKeepCounts(
      [a, b].map((layer) => ({ layer, mask: layer.mask, score: magnitudeScore(layer.readWeights()) })),
      irregular,
      4,
    );
    expect(counts).toEqual([3, 1]);
  });

  it('should compare groups of different sizes per element', () => {
    const shuffled = createScheme('shuffled-block', { blockSize: 2 });
    const conv = new ArrayLayer('conv', convShape(2, 4, 1, 1), { weights: Float32Array.from([1, 1, 1, 1, 0.1, 0.1, 0.1, 0.1]) });
    const fc = new ArrayLayer('fc', linearShape(1, 3), { weights: Float32Array.from([2, 0.5, 0.4]) });
    const counts = globalKeepCounts(
      [conv, fc].map((layer) => ({ layer, mask: layer.mask, score: magnitudeScore(layer.readWeights()) })),
      shuffled,
      5,
    );
    expect(counts).toEqual([4, 1]);
  });
});

describe('redistributeGrowth', () => {
  const layers = [
    { removed: 10, room: 100, active: 30, meanMagnitude: 1 },
    { removed: 20, room: 15, active: 10, meanMagnitude: 3 },
  ];

  it('should give each layer back what it lost with none', () => {
    expect(redistributeGrowth(layers, 'none')).toEqual([10, 15]);
  });

  it('should share the total by nonzeros or magnitude, capped by room', () => {
    expect(redistributeGrowth(layers, 'nonzeros')).toEqual([23, 7]);
    const byMagnitude = redistributeGrowth(layers, 'magnitude');
    expect(byMagnitude.reduce((a, b) => a + b, 0)).toBe(30);
    expect(byMagnitude[1]).toBe(15);
  });

  it('should never exceed capacity and hit the budget exactly when there is room', () => {
    const shares = allocateProportionally(17, [1, 1, 1], [2, 10, 10]);
    expect(shares.reduce((a, b) => a + b, 0)).toBe(17);
    expect(shares[0]).toBeLessThanOrEqual(2);
    expect(allocateProportionally(50, [1, 2], [3, 4])).toEqual([3, 4]);
  });
});

describe('rescaleDensities', () => {
  it('should scale ERK-like densities to a new overall density, capping at 1', () => {
    const layers = [new ArrayLayer('a', linearShape(10, 10)), new ArrayLayer('b', linearShape(10, 30))];
    const out = rescaleDensities(layers, [0.4, 0.2], 0.5);
    expect(out[0]).toBeCloseTo(0.8, 12);
    expect(out[1]).toBeCloseTo(0.4, 12);
    const capped = rescaleDensities(layers, [0.4, 0.2], 0.8);
    expect(capped[0]).toBe(1);
    expect((capped[0] * 100 + capped[1] * 300) / 400).toBeCloseTo(0.8, 12);
  });
});
