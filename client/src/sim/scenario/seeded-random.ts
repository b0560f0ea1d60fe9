// A small seeded random source for everything a scenario plans (which devices fail, when, for how long): the same
// seed gives the same plan. The draws are the engine's mulberry32 stream (not for cryptography).
import { createRng } from '../../engine/util/rng.js';

export interface SeededRandom {
  /** Uniform in [0, 1). */
  next(): number;
  /** Uniform integer in [0, n). */
  integer(n: number): number;
  /** Uniform in [min, max). */
  uniform(min: number, max: number): number;
  /** Exponentially distributed with this mean. */
  exponential(mean: number): number;
  /** `count` distinct members of `items`, in draw order. */
  sample<T>(items: readonly T[], count: number): T[];
  /** An independent stream derived from this seed and a label (so adding one draw elsewhere changes nothing here). */
  fork(label: string): SeededRandom;
}

export function seededRandom(seed: number): SeededRandom {
  const next = createRng(seed).next;
  const random: SeededRandom = {
    next,
    integer: (n) => Math.floor(next() * n),
    uniform: (min, max) => min + next() * (max - min),
    exponential: (mean) => -mean * Math.log(1 - next()),
    sample<T>(items: readonly T[], count: number): T[] {
      const pool = [...items];
      const picked: T[] = [];
      for (let i = 0; i < Math.min(count, pool.length); i += 1) {
        const j = i + Math.floor(next() * (pool.length - i));
        [pool[i], pool[j]] = [pool[j]!, pool[i]!];
        picked.push(pool[i]!);
      }
      return picked;
    },
    fork: (label) => seededRandom(hashLabel(seed, label)),
  };
  return random;
}

/** FNV-1a over the seed and the label: a stable 32-bit seed per (seed, label). */
function hashLabel(seed: number, label: string): number {
  let hash = 0x811c9dc5 ^ (seed >>> 0);
  for (let i = 0; i < label.length; i += 1) {
    hash ^= label.charCodeAt(i);
    hash = Math.imul(hash, 0x01000193);
  }
  return hash >>> 0;
}
