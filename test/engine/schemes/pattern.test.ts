import { describe, expect, it } from 'vitest';
import { activeCount } from '../../../client/src/engine/sparse/allocation/count.js';
import { KERNEL_PATTERNS, PatternScheme, patternKernelRatio, patternKernelsKept } from '../../../client/src/engine/sparse/schemes/pattern.js';
import { convShape, countActive, layerSize, linearShape } from '../../../client/src/engine/sparse/types.js';
import { createRng } from '../../../client/src/engine/util/rng.js';
import { checkSchemeInvariants, randomScores } from './invariants.js';

function kernelsPerFilter(mask: Uint8Array, out: number, inChannels: number): number[] {
  return Array.from({ length: out }, (_, o) => {
    let kernels = 0;
    for (let i = 0; i < inChannels; i++) {
      if (mask.subarray((o * inChannels + i) * 9, (o * inChannels + i + 1) * 9).some((v) => v === 1)) kernels++;
    }
    return kernels;
  });
}

describe(PatternScheme.name, () => {
  const sut = new PatternScheme();

  it.each([convShape(4, 5, 3, 3), convShape(3, 8, 3, 3), convShape(1, 4, 3, 3)])(
    'should keep every invariant on shape %o',
    (shape) => checkSchemeInvariants(sut, shape, 9),
  );

  it('should reproduce the MEST arithmetic: I = 32, r = 0.9 → 24 kernels pruned per filter, sparsity 0.889', () => {
    // Prepare
    const shape = convShape(16, 32, 3, 3);
    const rng = createRng(4);
    // Execute
    const mask = sut.project(shape, randomScores(layerSize(shape), rng), sut.activeCountAt(shape, 1 - 0.9), rng);
    // Assert
    expect(patternKernelRatio(0.9)).toBeCloseTo(0.775, 12);
    expect(Math.floor(32 * patternKernelRatio(0.9))).toBe(24);
    expect(kernelsPerFilter(mask, 16, 32).every((k) => k === 8)).toBe(true);
    expect(1 - countActive(mask) / layerSize(shape)).toBeCloseTo(0.8889, 4);
  });

  it('should keep I − int(I·r′) kernels per filter: [4, 10, 3, 3] at r = 0.91 keeps 3, not round(d·N)/4O = 2', () => {
    // r' = 1 − (1 − 0.91)·9/4 = 0.7975, k = int(7.975) = 7 pruned, 3 kept: 4 filters × 3 kernels × 4 = 48 of 360.
    const shape = convShape(4, 10, 3, 3);
    const density = 1 - 0.91; // as a profile's 0.91 becomes a density
    const rng = createRng(6);
    expect(patternKernelsKept(10, density)).toBe(3);
    expect(sut.activeCountAt(shape, density)).toBe(48);
    // The old path rounded d·N = 32.4 to 32 first and kept 32 / 16 = 2 kernels per filter.
    expect(sut.roundCount(shape, activeCount(shape, density))).toBe(32);
    const mask = sut.project(shape, randomScores(layerSize(shape), rng), sut.activeCountAt(shape, density), rng);
    expect(kernelsPerFilter(mask, 4, 10)).toEqual([3, 3, 3, 3]);
    expect(sut.roundCount(shape, 48)).toBe(48); // a fixed point of roundCount, so prune/grow keep it exactly
  });

  it('should truncate I·r′ in float arithmetic exactly as the reference Python does', () => {
    // Values printed by CPython 3 (IEEE-754 doubles, same operation order):
    //   1 - ((1 - 0.6) * 9 / 4) = 0.09999999999999998, 10 * that = 0.9999999999999998, int(...) = 0
    //   1 - ((1 - 0.7) * 9 / 4) = 0.32499999999999996, 40 * that = 12.999999999999998, int(...) = 12
    //   1 - ((1 - 0.91) * 9 / 4) = 0.7975000000000001, 10 * that = 7.975000000000001, int(...) = 7
    expect(patternKernelRatio(0.6)).toBe(0.09999999999999998);
    expect(10 * patternKernelRatio(0.6)).toBe(0.9999999999999998);
    expect(40 * patternKernelRatio(0.7)).toBe(12.999999999999998);
    expect(10 * patternKernelRatio(0.91)).toBe(7.975000000000001);
    // So on paper r = 0.6, I = 10 prunes 1 kernel, but the reference prunes int(0.99…98) = 0 and keeps all 10;
    // r = 0.7, I = 40 prunes 12 (not 13) and keeps 28. We keep what the reference keeps.
    expect(patternKernelsKept(10, 1 - 0.6)).toBe(10);
    expect(patternKernelsKept(20, 1 - 0.6)).toBe(19);
    expect(patternKernelsKept(40, 1 - 0.7)).toBe(28);
    expect(patternKernelsKept(32, 1 - 0.92)).toBe(6); // r' = 0.82, int(26.24) = 26
    // A density that came from a sparsity s ≥ 0.5 as 1 − s gives back r = s exactly.
    for (const s of [0.5, 0.6, 0.7, 0.775, 0.8, 0.9, 0.91, 0.95, 0.98]) expect(1 - (1 - s)).toBe(s);
  });

  it('should prune no kernel below r = 5/9 (r′ < 0), keep every kernel at d = 1 and none at d = 0', () => {
    // The reference's int(I·r′) turns negative here (I = 128, r = 0.55 → −1) and numpy would prune all but |k|;
    // the intended rule keeps every kernel on its best pattern.
    expect(patternKernelsKept(128, 1 - 0.55)).toBe(128);
    expect(patternKernelsKept(7, 0.5)).toBe(7);
    expect(patternKernelsKept(7, 1)).toBe(7);
    expect(patternKernelsKept(7, 0)).toBe(0);
    expect(sut.activeCountAt(convShape(5, 7, 3, 3), 1)).toBe(4 * 5 * 7);
    expect(() => patternKernelsKept(7, 1.5)).toThrow(RangeError);
  });

  it('should list the eight patterns of the spec table', () => {
    const asRows = KERNEL_PATTERNS.map((p) =>
      [0, 1, 2].map((r) => [0, 1, 2].map((q) => (p.includes(r * 3 + q) ? '1' : '0')).join('')).join('/'),
    );
    expect(asRows).toEqual(['000/011/011', '000/110/110', '011/011/000', '110/110/000', '000/001/111', '000/111/010', '010/011/010', '010/110/010']);
  });

  it('should choose the pattern with the largest kept L2 norm, the first one on ties', () => {
    const shape = convShape(1, 1, 3, 3);
    const topLeft = new Float32Array([5, 5, 0, 5, 5, 0, 0, 0, 0]);
    expect(Array.from(sut.project(shape, topLeft, 4, createRng(1)))).toEqual([1, 1, 0, 1, 1, 0, 0, 0, 0]);
    const flat = new Float32Array(9).fill(1);
    expect(Array.from(sut.project(shape, flat, 4, createRng(1)))).toEqual([0, 0, 0, 0, 1, 1, 0, 1, 1]);
  });

  it('should balance filters: every filter keeps the same number of kernels, chosen by kernel norm', () => {
    const shape = convShape(2, 3, 3, 3);
    const score = new Float32Array(54);
    // Filter 0 prefers kernel 2, filter 1 prefers kernel 0.
    score.fill(1, 2 * 9, 3 * 9);
    score.fill(1, 3 * 9, 4 * 9);
    score.fill(0.1, 0, 2 * 9);
    score.fill(0.1, 4 * 9, 54);
    const mask = sut.project(shape, score, 8, createRng(1));
    expect(kernelsPerFilter(mask, 2, 3)).toEqual([1, 1]);
    expect(mask.subarray(18, 27).some((v) => v === 1)).toBe(true);
    expect(mask.subarray(27, 36).some((v) => v === 1)).toBe(true);
  });

  it('should grow empty kernels with a valid pattern, balanced across filters', () => {
    const shape = convShape(2, 4, 3, 3);
    const rng = createRng(8);
    const start = sut.project(shape, randomScores(72, rng), 8, rng);
    const grown = sut.grow({ shape, mask: start, score: undefined, count: 16, rng });
    expect(kernelsPerFilter(grown, 2, 4)).toEqual([3, 3]);
    expect(sut.conforms(shape, grown)).toBe(true);
  });

  it('should reject unbalanced filters, non-pattern kernels and non-3×3 layers', () => {
    const shape = convShape(2, 1, 3, 3);
    const one = [0, 0, 0, 0, 1, 1, 0, 1, 1];
    expect(sut.conforms(shape, new Uint8Array([...one, ...one]))).toBe(true);
    expect(sut.conforms(shape, new Uint8Array([...one, ...new Array(9).fill(0)]))).toBe(false);
    expect(sut.conforms(shape, new Uint8Array([...one, 1, 0, 0, 0, 0, 0, 0, 0, 1]))).toBe(false);
    expect(sut.unsupportedReason(convShape(4, 4, 1, 1))).toMatch(/not 3×3/);
    expect(sut.unsupportedReason(linearShape(4, 4))).toMatch(/convolutions only/);
    expect(() => sut.activeCountAt(convShape(4, 4, 1, 1), 0.1)).toThrow('pattern scheme cannot structure layer conv [4, 4, 1, 1]: kernel 1×1 is not 3×3');
  });

  it('should not keep a kernel whose active entries hold no full pattern', () => {
    const shape = convShape(1, 2, 3, 3);
    const mask = new Uint8Array(18);
    mask.set([1, 1, 1, 1, 1, 1, 1, 1, 1], 0);
    mask.set([1, 0, 1, 0, 1, 0, 1, 0, 1], 9);
    const pruned = sut.prune({ shape, mask, score: new Float32Array(18).fill(1), keep: 8 });
    expect(countActive(pruned)).toBe(4);
    expect(countActive(pruned.subarray(9))).toBe(0);
  });
});
