// Score functions: a method is a pair of these (drop score, grow score) over the shared prune/grow primitives.
// Drop scores are keep-worthiness (higher = keep); grow scores are grow-worthiness (higher = grow first).
import type { Rng } from '../../util/rng.js';
import type { Mask } from '../types.js';

export type ElementScore = Float32Array;

/** |w| (RigL/GraNet/DSB drop score). */
export function magnitudeScore(weights: Float32Array): ElementScore {
  return Float32Array.from(weights, Math.abs);
}

/** MEST importance |w| + λ·|g|; the gradient term only when λ > 0 and a gradient exists (spec 2.5). */
export function mestImportanceScore(weights: Float32Array, gradient: Float32Array | undefined, lambda: number): ElementScore {
  const score = magnitudeScore(weights);
  if (lambda > 0 && gradient) for (let i = 0; i < score.length; i++) score[i] += lambda * Math.abs(gradient[i]);
  return score;
}

/**
 * SET's "magnitude and negativity" (GraNet funcs.py): of the n weights removed, half are the smallest |w| and half
 * the most negative w. As one keep-worthiness score: min(rank by |w|, rank by w) among active weights, both ranks
 * ascending. Removing the bottom n by this score interleaves the two lists until n distinct weights are removed,
 * which is the intended "n/2 + n/2" (the reference's per-layer rate map is never filled, so its own mode is broken).
 * Inactive positions score −1.
 */
export function magnitudeAndNegativityScore(weights: Float32Array, mask: Mask): ElementScore {
  const active: number[] = [];
  for (let i = 0; i < mask.length; i++) if (mask[i]) active.push(i);
  const byMagnitude = active.slice().sort((a, b) => Math.abs(weights[a]) - Math.abs(weights[b]) || a - b);
  const byValue = active.slice().sort((a, b) => weights[a] - weights[b] || a - b);
  const score = new Float32Array(mask.length).fill(-1);
  const rank = new Float64Array(mask.length).fill(Infinity);
  byMagnitude.forEach((index, r) => (rank[index] = r));
  byValue.forEach((index, r) => (rank[index] = Math.min(rank[index], r)));
  for (const index of active) score[index] = rank[index];
  return score;
}

/** Uniform random scores in [0, 1): random growth with the scheme's own top-k (same as an unscored grow). */
export function randomScore(size: number, rng: Rng): ElementScore {
  const score = new Float32Array(size);
  for (let i = 0; i < size; i++) score[i] = rng.next();
  return score;
}

/** |g| (RigL / GraNet gradient growth, DSB growth). */
export function gradientScore(gradient: Float32Array): ElementScore {
  return Float32Array.from(gradient, Math.abs);
}

/** |m| of the first optimizer moment (SNFS / GraNet momentum growth). */
export function momentumScore(momentum: Float32Array): ElementScore {
  return Float32Array.from(momentum, Math.abs);
}
