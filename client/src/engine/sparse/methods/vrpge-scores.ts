// VRPGE score arithmetic (spec 5.3), free of layers: the variance-reduced policy-gradient estimator, Adam on the
// scores, and the projection onto the global kept-channel budget.
import type { ScoreDenominator } from '../schedules/schema.js';

const EPS = 1e-20;

/** δ = (m − s)/sqrt(s(1−s)) ('sqrt', the reference code) or (m − s)/(s(1−s)) ('variance', the textbook score). */
export function scoreDirection(mask: ArrayLike<number>, scores: ArrayLike<number>, denominator: ScoreDenominator): Float64Array {
  const out = new Float64Array(scores.length);
  for (let i = 0; i < scores.length; i++) {
    const s = scores[i];
    const variance = (s + EPS) * (1 - s + EPS);
    out[i] = (mask[i] - s) / (denominator === 'sqrt' ? Math.sqrt(variance) : variance);
  }
  return out;
}

/** g = 1/(K−1)·Σ_k (L_k − L̄)·δ^(k); with K = 2 this is (L1 − L2)/2·(δ1 − δ2). */
export function varianceReducedGradient(losses: readonly number[], directions: readonly Float64Array[]): Float64Array {
  const K = losses.length;
  if (K < 2 || directions.length !== K) throw new RangeError(`need K >= 2 losses and directions, got ${K}/${directions.length}`);
  const mean = losses.reduce((a, b) => a + b, 0) / K;
  const out = new Float64Array(directions[0].length);
  for (let k = 0; k < K; k++) {
    const weight = (losses[k] - mean) / (K - 1);
    const direction = directions[k];
    for (let i = 0; i < out.length; i++) out[i] += weight * direction[i];
  }
  return out;
}

/** Scales `gradient` in place so that its L2 norm is at most `maxNorm`; returns the norm before clipping. */
export function clipByNorm(gradient: Float64Array, maxNorm: number): number {
  let sum = 0;
  for (let i = 0; i < gradient.length; i++) sum += gradient[i] * gradient[i];
  const norm = Math.sqrt(sum);
  if (norm > maxNorm && norm > 0) {
    const scale = maxNorm / norm;
    for (let i = 0; i < gradient.length; i++) gradient[i] *= scale;
  }
  return norm;
}

/** Plain Adam (β1 0.9, β2 0.999, ε 1e-8, no weight decay: the reference config) over one flat parameter vector. */
export class AdamState {
  private readonly m: Float64Array;
  private readonly v: Float64Array;
  private t = 0;

  constructor(size: number) {
    this.m = new Float64Array(size);
    this.v = new Float64Array(size);
  }

  /** Copies of the moments and the step count (checkpoints). */
  snapshot(): { m: Float64Array; v: Float64Array; t: number } {
    return { m: this.m.slice(), v: this.v.slice(), t: this.t };
  }

  restore(m: Float64Array, v: Float64Array, t: number): void {
    if (m.length !== this.m.length || v.length !== this.v.length) {
      throw new RangeError(`Adam state has ${m.length}/${v.length} moments, expected ${this.m.length}`);
    }
    this.m.set(m);
    this.v.set(v);
    this.t = t;
  }

  step(params: Float64Array, gradient: Float64Array, learningRate: number): void {
    this.t++;
    const b1 = 0.9;
    const b2 = 0.999;
    const correction1 = 1 - Math.pow(b1, this.t);
    const correction2 = 1 - Math.pow(b2, this.t);
    for (let i = 0; i < params.length; i++) {
      this.m[i] = b1 * this.m[i] + (1 - b1) * gradient[i];
      this.v[i] = b2 * this.v[i] + (1 - b2) * gradient[i] * gradient[i];
      params[i] -= (learningRate * (this.m[i] / correction1)) / (Math.sqrt(this.v[i] / correction2) + 1e-8);
    }
  }
}

/**
 * `constrainScoreByWhole`: s ← clamp(s − v, 0, 1) with v = 0 when Σ clamp(s, 0, 1) <= k, else v found by bisection
 * on [0, max s] until |Σ clamp(s − v, 0, 1) − k| < 1e-3 or 20 iterations. In place; returns v.
 */
export function projectOntoBudget(scores: Float64Array, budget: number): number {
  const clampedSum = (shift: number): number => {
    let sum = 0;
    for (let i = 0; i < scores.length; i++) sum += Math.min(1, Math.max(0, scores[i] - shift));
    return sum;
  };
  let v = 0;
  if (clampedSum(0) > budget) {
    let low = 0;
    let high = scores.reduce((max, s) => Math.max(max, s), 0);
    for (let iteration = 0; iteration < 20; iteration++) {
      v = (low + high) / 2;
      const excess = clampedSum(v) - budget;
      if (Math.abs(excess) < 1e-3) break;
      if (excess > 0) low = v;
      else high = v;
    }
  }
  for (let i = 0; i < scores.length; i++) scores[i] = Math.min(1, Math.max(0, scores[i] - v));
  return v;
}
