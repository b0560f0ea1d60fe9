// Seeded randomness for the virtual fleet: every device draws from its own stream, derived from the scenario seed,
// its index and a purpose, so adding a fault stream never shifts another device's availability plan.
import type { Distribution } from './profile-shape.js';

export type Random = () => number;

/** mulberry32: small, fast, good enough for simulation draws (not for anything secret). */
export function seededRandom(seed: number): Random {
  let state = seed >>> 0;
  return () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4_294_967_296;
  };
}

/** A stream for (seed, device index, purpose): stable for the same triple, unrelated across triples. */
export function deviceStream(seed: number, index: number, purpose: string): Random {
  let hash = 2_166_136_261 ^ (seed >>> 0);
  for (const char of `${index}:${purpose}`) hash = Math.imul(hash ^ char.charCodeAt(0), 16_777_619);
  hash = Math.imul(hash ^ (hash >>> 16), 2_246_822_507);
  return seededRandom(hash ^ (hash >>> 13));
}

/** One draw from a profile distribution (never negative). */
export function drawFrom(distribution: Distribution, random: Random): number {
  switch (distribution.kind) {
    case 'fixed':
      return Math.max(0, distribution.value);
    case 'uniform':
      return distribution.min + (distribution.max - distribution.min) * random();
    case 'exponential':
      return -distribution.mean * Math.log(1 - random());
    case 'lognormal':
      return distribution.median * Math.exp(distribution.sigma * standardNormal(random));
  }
}

function standardNormal(random: Random): number {
  // Box–Muller; 1 - random() keeps the logarithm's argument in (0, 1].
  return Math.sqrt(-2 * Math.log(1 - random())) * Math.cos(2 * Math.PI * random());
}
