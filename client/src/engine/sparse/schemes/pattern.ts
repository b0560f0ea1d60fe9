// MEST `pattern+filter_balance` for 3×3 convolutions: every kept kernel W[o, i, :, :] holds exactly one of eight
// fixed four-entry patterns, and every output filter keeps the same number of kernels (filter balance).
//
// Kernels kept per filter at a density (activeCountAt) follow the reference exactly (MEST prune_utils/utils_pr.py,
// filter_balance; spec §2.5): with sparsity r = 1 − d,
//     r' = 1 - ((1 - r) * 9 / 4)      # ratio_convert
//     k  = int(I * r')                # kernels pruned per filter
// and each filter keeps I − k kernels. Example: I = 32, r = 0.9 → r' = 0.775, k = 24, 8 kept, sparsity 1 − 32/288;
// [4, 10, 3, 3] at r = 0.91 → r' = 0.7975, k = int(7.975) = 7, 3 kept per filter (48 of 360 weights).
// Python floats are IEEE-754 doubles and `-`, `*`, `/` round the same way in JS, so evaluating the same expression
// in the same order gives the same bits, and int() is truncation (Math.trunc). That matters where I·r' is an
// integer on paper: r = 0.6, I = 10 gives r' = 0.09999999999999998 and I·r' = 0.9999999999999998, so the
// reference prunes int(…) = 0 kernels and keeps all 10 (exact arithmetic would prune 1); likewise r = 0.7, I = 40
// prunes 12, not 13. We reproduce that. Densities that came from a profile sparsity s as d = 1 − s give back
// r = 1 − d = s exactly for s ≥ 0.5 (Sterbenz), and below 5/9 no kernel is pruned anyway.
//
// Reference quirk not reproduced: for r < 5/9, r' < 0 and int(I·r') can be negative; numpy's argpartition then counts
// from the end and `[:k]` prunes all but |k| kernels (I = 128 at r = 0.55: k = −1, 127 of 128 pruned). The intent
// (and this code) is to prune none: every kernel keeps its best pattern, density 4/9.
//
// Counts that do not come from a density (global ranking, grow counts) are rounded by `roundCount` to 4·O·k with
// k = ceil(count / 4O) kernels per filter, the same rounding the formula applies to d·N (I − int(I·r') = ceil(d·N/4O)
// on paper); activeCountAt is a fixed point of it.
//
// Shapes: 3×3 convolutions only, any O and I (a depthwise [C, 1, 3, 3] conv keeps its one kernel per filter on its
// best pattern, density 4/9, unless d = 0: with I = 1 the formula has no other step). Other kernel sizes and linear
// layers are refused (methods treat them as irregular); the reference's filter_balance would prune whole k×k kernels
// there with r' = r, which no pattern format here can store.
//
// Reference quirk: MEST's shipped pattern profiles and EM scripts pass ratios that are already converted to r'
// (0.775 for a "0.9" profile) and filter_balance converts them again (0.775 → 0.49375), so the "0.9" pattern
// profile really trains at ≈0.775 sparsity. Here ratios are always the overall target sparsity, converted once.
import { topKIndices } from '../../util/select.js';
import type { Rng } from '../../util/rng.js';
import { layerSize, type LayerShape, type Mask } from '../types.js';
import { assertLayerArrays, assertSchemeApplies, indicesWhere, isBinaryMask, roundToGroups, sampleWithoutReplacement } from './common.js';
import type { ElementScores, GrowRequest, PruneRequest, SparsityScheme } from './types.js';

/** The eight active MEST patterns as flat 3×3 positions r·3+q, in the reference's order (first wins ties). */
export const KERNEL_PATTERNS: readonly (readonly number[])[] = [
  [4, 5, 7, 8], // 000/011/011
  [3, 4, 6, 7], // 000/110/110
  [1, 2, 4, 5], // 011/011/000
  [0, 1, 3, 4], // 110/110/000
  [5, 6, 7, 8], // 000/001/111
  [3, 4, 5, 7], // 000/111/010
  [1, 4, 5, 7], // 010/011/010
  [1, 3, 4, 7], // 010/110/010
];

const KERNEL = 9;
const PATTERN_SIZE = 4;
const PATTERN_BITS = KERNEL_PATTERNS.map((positions) => positions.reduce((bits, p) => bits | (1 << p), 0));

/**
 * Fraction of kernels per filter to remove so that 4-of-9 patterns plus kernel removal reach overall sparsity r:
 * r' = 1 − (1 − r)·9/4. Negative for r < 5/9 (patterns alone are already sparser than r): remove no kernels then.
 */
export function patternKernelRatio(sparsity: number): number {
  return 1 - ((1 - sparsity) * 9) / 4;
}

/**
 * Kernels every filter keeps at `density` on a layer with `inChannels` kernels per filter: I − int(I·r') with
 * r' = patternKernelRatio(1 − density), in the reference's float arithmetic (see the header); never below 0 or
 * above I (no kernel is pruned when r' < 0).
 */
export function patternKernelsKept(inChannels: number, density: number): number {
  if (!(density >= 0 && density <= 1)) throw new RangeError(`density must be in [0, 1], got ${density}`);
  const pruned = Math.trunc(inChannels * patternKernelRatio(1 - density));
  return inChannels - Math.min(inChannels, Math.max(0, pruned));
}

export class PatternScheme implements SparsityScheme {
  readonly name = 'pattern' as const;

  unsupportedReason(shape: LayerShape): string | undefined {
    if (shape.kind !== 'conv') return 'pattern sparsity applies to convolutions only (4-of-9 patterns of 3×3 kernels); a linear layer has no kernels';
    if (shape.kh !== 3 || shape.kw !== 3) return `kernel ${shape.kh}×${shape.kw} is not 3×3: the eight 4-entry patterns are defined on 3×3 kernels only`;
    return undefined;
  }

  groupSize(shape: LayerShape): number {
    this.assertSupported(shape);
    return PATTERN_SIZE;
  }

  roundCount(shape: LayerShape, count: number): number {
    this.assertSupported(shape);
    if (!Number.isFinite(count)) throw new RangeError(`count must be finite, got ${count}`);
    const perFilter = Math.ceil(Math.max(0, count) / (PATTERN_SIZE * shape.out) - 1e-9);
    return roundToGroups(perFilter * PATTERN_SIZE * shape.out, PATTERN_SIZE * shape.out, shape.in);
  }

  /** 4·O·(I − int(I·r')): MEST's kernels kept per filter at this density, exactly (see the header). */
  activeCountAt(shape: LayerShape, density: number): number {
    this.assertSupported(shape);
    return PATTERN_SIZE * shape.out * patternKernelsKept(shape.in, density);
  }

  /** L2 norm of the score over the active entries of every kernel (o, i), index o·I + i. */
  groupScores(shape: LayerShape, mask: Mask, score: ElementScores): Float32Array {
    this.assertSupported(shape);
    assertLayerArrays(this.name, shape, { mask, score });
    const result = new Float32Array(shape.out * shape.in);
    for (let k = 0; k < result.length; k++) {
      let sum = 0;
      for (let j = k * KERNEL; j < (k + 1) * KERNEL; j++) if (mask[j]) sum += score[j] * score[j];
      result[k] = Math.sqrt(sum);
    }
    return result;
  }

  prune({ shape, mask, score, keep }: PruneRequest): Mask {
    this.assertSupported(shape);
    assertLayerArrays(this.name, shape, { mask, score });
    return this.selectKernels(shape, mask, score, keep);
  }

  grow({ shape, mask, score, count, rng }: GrowRequest): Mask {
    this.assertSupported(shape);
    assertLayerArrays(this.name, shape, { mask, score });
    const { out, in: inChannels } = shape;
    const empty = (k: number): boolean => {
      for (let j = k * KERNEL; j < (k + 1) * KERNEL; j++) if (mask[j]) return false;
      return true;
    };
    let room = inChannels;
    for (let o = 0; o < out; o++) {
      let emptyKernels = 0;
      for (let i = 0; i < inChannels; i++) if (empty(o * inChannels + i)) emptyKernels++;
      room = Math.min(room, emptyKernels);
    }
    const perFilter = Math.min(this.roundCount(shape, count) / (PATTERN_SIZE * out), room);
    const next = Uint8Array.from(mask);
    if (perFilter === 0) return next;
    const kernelScores = new Float64Array(inChannels);
    const best = new Uint8Array(inChannels);
    for (let o = 0; o < out; o++) {
      const candidate = (i: number): boolean => empty(o * inChannels + i);
      let chosen: Uint32Array;
      if (score) {
        for (let i = 0; i < inChannels; i++) {
          const pick = bestPattern(score, (o * inChannels + i) * KERNEL, 0x1ff);
          kernelScores[i] = pick.norm;
          best[i] = pick.pattern;
        }
        chosen = topKIndices(kernelScores, perFilter, candidate);
      } else {
        chosen = sampleWithoutReplacement(indicesWhere(inChannels, candidate), perFilter, rng);
        for (const i of chosen) best[i] = rng.int(KERNEL_PATTERNS.length);
      }
      for (const i of chosen) setPattern(next, (o * inChannels + i) * KERNEL, best[i]);
    }
    return next;
  }

  project(shape: LayerShape, score: ElementScores, keep: number, _rng: Rng): Mask {
    this.assertSupported(shape);
    assertLayerArrays(this.name, shape, { score });
    return this.selectKernels(shape, new Uint8Array(layerSize(shape)).fill(1), score, keep);
  }

  conforms(shape: LayerShape, mask: Mask): boolean {
    if (this.unsupportedReason(shape) !== undefined || !isBinaryMask(mask, layerSize(shape))) return false;
    let expected = -1;
    for (let o = 0; o < shape.out; o++) {
      let kernels = 0;
      for (let i = 0; i < shape.in; i++) {
        const bits = kernelBits(mask, (o * shape.in + i) * KERNEL);
        if (bits === 0) continue;
        if (!PATTERN_BITS.includes(bits)) return false;
        kernels++;
      }
      if (expected >= 0 && kernels !== expected) return false;
      expected = kernels;
    }
    return true;
  }

  /**
   * Per kernel, the best pattern lying wholly inside the active entries (L2 of kept scores, first wins ties); per
   * filter, the same number of kernels by that norm. Kernels with no fully active pattern cannot be kept, so the
   * count per filter is limited by the filter with the fewest candidates.
   */
  private selectKernels(shape: LayerShape, mask: Mask, score: ElementScores, keep: number): Mask {
    const { out, in: inChannels } = shape;
    const norms = new Float64Array(out * inChannels).fill(-1);
    const patterns = new Uint8Array(out * inChannels);
    let room = inChannels;
    for (let o = 0; o < out; o++) {
      let candidates = 0;
      for (let i = 0; i < inChannels; i++) {
        const k = o * inChannels + i;
        const pick = bestPattern(score, k * KERNEL, kernelBits(mask, k * KERNEL));
        if (pick.pattern < 0) continue;
        norms[k] = pick.norm;
        patterns[k] = pick.pattern;
        candidates++;
      }
      room = Math.min(room, candidates);
    }
    const perFilter = Math.min(this.roundCount(shape, keep) / (PATTERN_SIZE * out), room);
    const next = new Uint8Array(mask.length);
    for (let o = 0; o < out; o++) {
      const filterNorms = norms.subarray(o * inChannels, (o + 1) * inChannels);
      for (const i of topKIndices(filterNorms, perFilter, (i) => filterNorms[i] >= 0)) {
        setPattern(next, (o * inChannels + i) * KERNEL, patterns[o * inChannels + i]);
      }
    }
    return next;
  }

  private assertSupported(shape: LayerShape): void {
    assertSchemeApplies(this, shape);
  }
}

function kernelBits(mask: Mask, offset: number): number {
  let bits = 0;
  for (let j = 0; j < KERNEL; j++) if (mask[offset + j]) bits |= 1 << j;
  return bits;
}

/** The pattern (index) inside `allowedBits` with the largest L2 of scores; -1 when no pattern fits. */
function bestPattern(score: ElementScores, offset: number, allowedBits: number): { pattern: number; norm: number } {
  let pattern = -1;
  let norm = -1;
  for (let p = 0; p < KERNEL_PATTERNS.length; p++) {
    if ((PATTERN_BITS[p] & allowedBits) !== PATTERN_BITS[p]) continue;
    let sum = 0;
    for (const j of KERNEL_PATTERNS[p]) sum += score[offset + j] * score[offset + j];
    if (pattern < 0 || sum > norm) {
      norm = sum;
      pattern = p;
    }
  }
  return { pattern, norm: pattern < 0 ? -1 : Math.sqrt(norm) };
}

function setPattern(mask: Mask, offset: number, pattern: number): void {
  for (const j of KERNEL_PATTERNS[pattern]) mask[offset + j] = 1;
}

