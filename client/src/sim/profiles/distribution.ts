// Draws from a profile's distributions with the engine's seeded Rng, so a seed fixes every draw.
import type { Rng } from '../../engine/util/rng.js';
import type { Distribution } from './types.js';

export function sampleDistribution(distribution: Distribution, rng: Rng): number {
  switch (distribution.kind) {
    case 'fixed':
      return distribution.value;
    case 'uniform':
      return distribution.min + (distribution.max - distribution.min) * rng.next();
    case 'exponential':
      // 1 - next() lies in (0, 1], so the log is finite.
      return -distribution.mean * Math.log(1 - rng.next());
    case 'lognormal':
      return distribution.median * Math.exp(distribution.sigma * rng.normal());
  }
}

/** The distribution's mean, for summaries and sanity checks. */
export function distributionMean(distribution: Distribution): number {
  switch (distribution.kind) {
    case 'fixed':
      return distribution.value;
    case 'uniform':
      return (distribution.min + distribution.max) / 2;
    case 'exponential':
      return distribution.mean;
    case 'lognormal':
      return distribution.median * Math.exp((distribution.sigma * distribution.sigma) / 2);
  }
}
