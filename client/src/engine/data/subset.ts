// Which examples a device keeps: a seeded class-balanced limit, then its fleet shard. Both are pure functions of
// (labels, options), so the coordinator and every device agree without exchanging id lists.
import { createRng, shuffleInPlace } from '../util/rng.js';
import type { Dataset } from './types.js';

export interface SelectionOptions {
  /** Keep at most this many examples; 0 or undefined = all. */
  readonly limit?: number;
  readonly seed: number;
  /** Distinguishes the train and test draws for the same seed. */
  readonly purpose: string;
  readonly shardIndex?: number;
  /** 0, 1 or undefined = no sharding. */
  readonly shardCount?: number;
}

/**
 * The shard an example id belongs to: a 32-bit integer hash of the id modulo `shardCount`. Hashing (rather than
 * `id % shardCount`) keeps shards class-mixed even if ids correlate with labels (e.g. files sorted by class).
 * Shards are disjoint and together cover every id.
 */
export function shardOf(id: number, shardCount: number): number {
  let h = id >>> 0;
  h = Math.imul(h ^ (h >>> 16), 0x85ebca6b);
  h = Math.imul(h ^ (h >>> 13), 0xc2b2ae35);
  h = (h ^ (h >>> 16)) >>> 0;
  return h % shardCount;
}

/**
 * Positions (ascending) of the examples to keep. The limit is class-balanced: each class's positions are shuffled
 * with an Rng derived from (seed, purpose, class), and classes are visited round-robin in label order, each giving
 * its next example, until `limit` are taken (a class that runs out is skipped). So every class gets
 * floor(limit / classes) or one more, unless it has fewer examples. Sharding is applied after the limit, so the
 * shards of a fleet partition the same limited set.
 */
export function selectPositions(labels: Int32Array, numClasses: number, options: SelectionOptions): Uint32Array {
  const count = labels.length;
  const limit = options.limit ?? 0;
  if (!Number.isInteger(limit) || limit < 0) throw new RangeError(`data limit must be a non-negative integer, got ${limit}`);
  let positions: Uint32Array;
  if (limit === 0 || limit >= count) {
    positions = new Uint32Array(count);
    for (let i = 0; i < count; i++) positions[i] = i;
  } else {
    positions = balancedPick(labels, numClasses, limit, options.seed, options.purpose);
  }
  const shardCount = options.shardCount ?? 0;
  if (shardCount <= 1) return positions;
  const shardIndex = options.shardIndex ?? 0;
  if (!Number.isInteger(shardCount) || !Number.isInteger(shardIndex) || shardIndex < 0 || shardIndex >= shardCount) {
    throw new RangeError(`shard index ${shardIndex} is outside 0..${shardCount - 1}`);
  }
  return positions.filter((id) => shardOf(id, shardCount) === shardIndex);
}

function balancedPick(labels: Int32Array, numClasses: number, limit: number, seed: number, purpose: string): Uint32Array {
  const byClass: number[][] = Array.from({ length: numClasses }, () => []);
  for (let i = 0; i < labels.length; i++) byClass[labels[i]].push(i);
  const root = createRng(seed).derive(`limit/${purpose}`);
  byClass.forEach((members, label) => shuffleInPlace(members, root.derive(label)));
  const picked = new Uint32Array(limit);
  const cursor = new Array<number>(numClasses).fill(0);
  let taken = 0;
  while (taken < limit) {
    for (let label = 0; label < numClasses && taken < limit; label++) {
      if (cursor[label] < byClass[label].length) picked[taken++] = byClass[label][cursor[label]++];
    }
  }
  return picked.sort();
}

/** The examples of `dataset` whose id is in `keepIds`, in the dataset's order. */
export function datasetSubset(dataset: Dataset, keepIds: ReadonlySet<number> | ArrayLike<number>): Dataset {
  const keep = isSet(keepIds) ? keepIds : new Set(Array.from(keepIds));
  const kept: number[] = [];
  for (let i = 0; i < dataset.size; i++) if (keep.has(dataset.ids[i])) kept.push(i);
  const labels = new Int32Array(kept.length);
  const ids = new Uint32Array(kept.length);
  kept.forEach((source, target) => {
    labels[target] = dataset.labels[source];
    ids[target] = dataset.ids[source];
  });
  return { ...dataset, size: kept.length, examples: dataset.examples.select(kept), labels, ids };
}

function isSet(value: ReadonlySet<number> | ArrayLike<number>): value is ReadonlySet<number> {
  return typeof (value as ReadonlySet<number>).has === 'function';
}
