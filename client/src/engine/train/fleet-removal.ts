// A fleet removal set as the run applies it: the examples the coordinator cut from the fleet's merged forgetting
// statistics, to be left out of training from the first step (RunOptions.removal). Ids are positions in the full
// training split of `dataset`; a device with a shard or a limit trains on its own examples minus those listed.
import type { DatasetIdentity } from '../../../../protocol/src/index.js';
import { sameDatasetIdentity } from '../../../../protocol/src/index.js';
import { DatasetMismatchError } from '../data/identity.js';
import type { Dataset } from '../data/types.js';

export interface FleetRemovalSet {
  /** Removed example ids, ascending. */
  readonly removedIds: Uint32Array;
  /** The set's version (1, 2, … per dataset identity). */
  readonly version: number;
  readonly dataset: DatasetIdentity;
}

/**
 * Asks for a newer set at the start of epoch `atEpoch` (> 0), knowing `version`; undefined = keep the current one.
 * A rejected promise also keeps the current set (the run goes on).
 */
export type RemovalRefresh = (atEpoch: number, version: number) => Promise<FleetRemovalSet | undefined>;

export interface FleetRemoval extends FleetRemovalSet {
  readonly refresh?: RemovalRefresh;
}

/** The device's training split cannot train under this removal set. */
export class RemovalSetError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'RemovalSetError';
  }
}

/**
 * Checks `set` against the loaded training split: same dataset identity (else DatasetMismatchError) and at least
 * one example of the split kept (else RemovalSetError, together with the run's own `alsoExcluded`).
 */
export function checkRemovalSet(set: FleetRemovalSet, identity: DatasetIdentity, train: Dataset, alsoExcluded?: ReadonlySet<number>): void {
  if (!sameDatasetIdentity(set.dataset, identity)) throw new DatasetMismatchError(set.dataset, identity, `removal set version ${set.version} is about`);
  const excluded = unionOf(set.removedIds, alsoExcluded);
  if (keptCount(train, excluded) === 0) {
    throw new RemovalSetError(
      `removal set version ${set.version} removes all ${train.size} examples of this device's training split ` +
        `(${set.removedIds.length} of ${set.dataset.size} removed fleet-wide)`,
    );
  }
}

/** The ids left out of training: the fleet set's and the run's own MEST removal, or undefined when none. */
export function unionOf(fleet: Uint32Array | undefined, local: ReadonlySet<number> | undefined): ReadonlySet<number> | undefined {
  if (fleet === undefined || fleet.length === 0) return local;
  const union = new Set<number>(fleet);
  if (local !== undefined) for (const id of local) union.add(id);
  return union;
}

/** Examples of `train` not in `excluded`. */
export function keptCount(train: Dataset, excluded: ReadonlySet<number> | undefined): number {
  return train.size - excludedCount(train, excluded);
}

/** Examples of `train` in `excluded` (ids of other shards do not count). */
export function excludedCount(train: Dataset, excluded: ReadonlySet<number> | undefined): number {
  if (excluded === undefined) return 0;
  let count = 0;
  for (let i = 0; i < train.size; i++) if (excluded.has(train.ids[i])) count++;
  return count;
}
