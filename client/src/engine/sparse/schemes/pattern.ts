// MEST `pattern+filter_balance` for 3×3 convolutions: every kept kernel W[o, i, :, :] holds exactly one of eight
// fixed four-entry patterns, and every output filter keeps the same number of kernels (filter balance).
//
// Counts: `roundCount` gives 4·O·k with k kernels per filter, k = ceil(count / 4O). That is MEST's arithmetic:
// filter_balance prunes int(I·r') kernels per filter with r' = patternKernelRatio(r), so it keeps the ceiling.
// Example: I = 32, r = 0.9 → r' = 0.775, 24 pruned, 8 kept per filter, sparsity 1 − 32/288 ≈ 0.889.
//
// Reference quirk: MEST's shipped pattern profiles and EM scripts pass ratios that are already converted to r'
// (0.775 for a "0.9" profile) and filter_balance converts them again (0.775 → 0.49375), so the "0.9" pattern
// profile really trains at ≈0.775 sparsity. Here ratios are always the overall target sparsity, converted once.
import { topKIndices } from '../../util/select.js';
import type { Rng } from '../../util/rng.js';
import { layerSize, type LayerShape, type Mask } from '../types.js';
import { assertLayerArrays, indicesWhere, isBinaryMask, roundToGroups, sampleWithoutReplacement } from './common.js';
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

export class PatternScheme implements SparsityScheme {
  readonly name = 'pattern' as const;

  unsupportedReason(shape: LayerShape): string | undefined {
    if (shape.kind !== 'conv') return 'pattern sparsity applies to convolutions only';
    if (shape.kh !== 3 || shape.kw !== 3) return `kernel ${shape.kh}×${shape.kw} is not 3×3`;
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
    const reason = this.unsupportedReason(shape);
    if (reason !== undefined) throw new Error(`pattern scheme cannot structure this layer: ${reason}`);
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

