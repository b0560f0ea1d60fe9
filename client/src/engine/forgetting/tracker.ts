// Per-example forgetting statistics (Toneva et al. 2019 as used by MEST, spec §2.10). Only what the counts need is
// kept, in typed arrays indexed by example id: presentations, 1→0 events, the epoch an example was first learned
// (1 + epoch, 0 = never) and a flag (last presentation correct). 60k examples cost about 780 KB however many epochs
// are recorded.
import type { ExampleStatistics } from '../../../../protocol/src/index.js';
import {
  removalSlice,
  type SortedImportance,
} from './sorted-importance.js';

export interface ForgettingCountOptions {
  /** Count given to examples never classified correctly (MEST: the number of epochs). Default: their presentations. */
  readonly neverLearnedCount?: number;
}

export interface RemovalOptions extends ForgettingCountOptions {
  readonly removeCount: number;
  /** Ranks skipped before the removed slice (MEST's keep_lowest_n, default 0). */
  readonly keepLowest?: number;
}

export interface ForgettingCounts {
  /** Ids presented at least once, ascending. */
  readonly ids: Uint32Array;
  readonly counts: Uint32Array;
}

/**
 * Mergeable, transferable state of a tracker for the ids it has seen (ascending). Sending this rather than counts
 * lets the coordinator aggregate exactly: a never-learned example's count depends on the summed presentations.
 */
export interface ForgettingSnapshot {
  readonly ids: Uint32Array;
  readonly presentations: Uint32Array;
  readonly events: Uint32Array;
  /** 1 when the example was classified correctly at least once (= firstLearned > 0). */
  readonly learned: Uint8Array;
  /** 1 when its latest presentation was correct. */
  readonly lastCorrect: Uint8Array;
  /** 1 + the epoch the example was first classified correctly; 0 = never. */
  readonly firstLearned: Uint32Array;
}

const LAST_CORRECT = 1;

export class ForgettingTracker {
  private presentationCounts: Uint32Array;
  private eventCounts: Uint32Array;
  private flags: Uint8Array;
  private firstLearnedEpochs: Uint32Array;

  /** `capacity` = size of the id space (max id + 1); it grows on demand if larger ids are recorded. */
  constructor(capacity = 0) {
    this.presentationCounts = new Uint32Array(capacity);
    this.eventCounts = new Uint32Array(capacity);
    this.flags = new Uint8Array(capacity);
    this.firstLearnedEpochs = new Uint32Array(capacity);
  }

  static fromSnapshot(snapshot: ForgettingSnapshot): ForgettingTracker {
    const tracker = new ForgettingTracker();
    tracker.merge(snapshot);
    return tracker;
  }

  get capacity(): number {
    return this.flags.length;
  }

  /**
   * One presentation of each listed example in (0-based) `epoch`; `correct[i]` non-zero means `ids[i]` was
   * classified correctly. An id listed twice in one call counts as two presentations, in list order.
   */
  record(ids: ArrayLike<number>, correct: ArrayLike<number>, epoch = 0): void {
    if (ids.length !== correct.length) throw new RangeError(`record: ${ids.length} ids but ${correct.length} results`);
    if (!Number.isInteger(epoch) || epoch < 0 || epoch >= 0xffffffff) throw new RangeError(`record: epoch must be a uint32 below 2^32 - 1, got ${epoch}`);
    this.ensureCapacity(maxId(ids) + 1);
    for (let i = 0; i < ids.length; i++) {
      const id = ids[i];
      const flags = this.flags[id];
      const isCorrect = Boolean(correct[i]); // also accepts booleans and treats NaN as wrong
      if (!isCorrect && this.presentationCounts[id] > 0 && (flags & LAST_CORRECT) !== 0) this.eventCounts[id]++;
      this.flags[id] = isCorrect ? flags | LAST_CORRECT : flags & ~LAST_CORRECT;
      if (isCorrect && this.firstLearnedEpochs[id] === 0) this.firstLearnedEpochs[id] = epoch + 1;
      this.presentationCounts[id]++;
    }
  }

  /** 1 + the epoch `id` was first classified correctly; 0 = never (or never presented). */
  firstLearned(id: number): number {
    return id < this.capacity ? this.firstLearnedEpochs[id] : 0;
  }

  presentations(id: number): number {
    return id < this.capacity ? this.presentationCounts[id] : 0;
  }

  /** Number of ids presented at least once. */
  get trackedCount(): number {
    let count = 0;
    for (let id = 0; id < this.capacity; id++) if (this.presentationCounts[id] > 0) count++;
    return count;
  }

  /** Per presented id: 1→0 transitions if ever learned, otherwise `neverLearnedCount`. */
  forgettingCounts(options: ForgettingCountOptions = {}): ForgettingCounts {
    const never = options.neverLearnedCount;
    if (never !== undefined && (!Number.isInteger(never) || never < 0 || never > 0xffffffff)) {
      throw new RangeError(`neverLearnedCount must be a uint32, got ${never}`);
    }
    const ids = this.trackedIds();
    const counts = new Uint32Array(ids.length);
    for (let i = 0; i < ids.length; i++) counts[i] = this.countOf(ids[i], options.neverLearnedCount);
    return { ids, counts };
  }

  /** Ids learned at least once and never forgotten, ascending. */
  unforgettable(): Uint32Array {
    return this.trackedIds().filter((id) => this.firstLearnedEpochs[id] !== 0 && this.eventCounts[id] === 0);
  }

  /**
   * Presented ids by ascending forgetting count, ties by ascending id. MEST uses numpy's default argsort, which is
   * not stable, so the order inside a tie group there is implementation-defined; ordering ties by id makes the
   * ranking (and any removal set cut from it) identical on every device and on the coordinator. Removal sets can
   * therefore differ from the reference only inside the tie group that straddles the cut.
   */
  sortedImportance(options: ForgettingCountOptions = {}): Uint32Array {
    return this.toSortedImportance(options).indices;
  }

  /** The full record for export (see sorted-importance.ts for the JSON and binary encodings). */
  toSortedImportance(options: ForgettingCountOptions = {}): SortedImportance {
    const { ids, counts } = this.forgettingCounts(options);
    const order = new Uint32Array(ids.length);
    for (let i = 0; i < order.length; i++) order[i] = i;
    order.sort((a, b) => counts[a] - counts[b] || ids[a] - ids[b]);
    return {
      indices: order.map((i) => ids[i]),
      forgettingCounts: order.map((i) => counts[i]),
      unforgettable: this.unforgettable().length,
    };
  }

  /**
   * Ids ranked [keepLowest, keepLowest + removeCount) in `sortedImportance` order: the intended MEST removal (the
   * reference's sorting-file path slices [-1 : -1 + remove_n], which is empty; that quirk is not reproduced).
   */
  removalSet(options: RemovalOptions): Uint32Array {
    return removalSlice(this.toSortedImportance(options), options.removeCount, options.keepLowest ?? 0);
  }

  reset(): void {
    this.presentationCounts.fill(0);
    this.eventCounts.fill(0);
    this.flags.fill(0);
    this.firstLearnedEpochs.fill(0);
  }

  snapshot(): ForgettingSnapshot {
    const ids = this.trackedIds();
    return {
      ids,
      presentations: ids.map((id) => this.presentationCounts[id]),
      events: ids.map((id) => this.eventCounts[id]),
      learned: Uint8Array.from(ids, (id) => (this.firstLearnedEpochs[id] !== 0 ? 1 : 0)),
      lastCorrect: Uint8Array.from(ids, (id) => this.flags[id] & LAST_CORRECT),
      firstLearned: ids.map((id) => this.firstLearnedEpochs[id]),
    };
  }

  /** The job-wire form of `snapshot()` (forgetting-wire's ExampleStatistics): ids ascending, three counts each. */
  statistics(): ExampleStatistics {
    const { ids, presentations, events, firstLearned } = this.snapshot();
    return { ids, presentations, forgettingEvents: events, firstLearned };
  }

  /**
   * Adds another device's statistics, keyed by example id: presentations and forgetting events are summed,
   * the first-learned epoch is the earliest non-zero one (a snapshot that says "learned" with first-learned 0 counts
   * as learned in epoch 0, i.e. 1), and for ids both sides saw, the other side's last result becomes the latest (no
   * event is counted across the boundary: two devices' sequences are not one sequence). With disjoint shards this
   * is exact.
   */
  merge(other: ForgettingTracker | ForgettingSnapshot): void {
    const snapshot = other instanceof ForgettingTracker ? other.snapshot() : other;
    const { ids, presentations, events, learned, lastCorrect, firstLearned } = snapshot;
    for (const [field, array] of Object.entries({ presentations, events, learned, lastCorrect, firstLearned })) {
      if (array.length !== ids.length) throw new RangeError(`merge: ${ids.length} ids but ${array.length} ${field}`);
    }
    this.ensureCapacity(maxId(ids) + 1);
    for (let i = 0; i < ids.length; i++) {
      if (presentations[i] === 0) continue;
      const id = ids[i];
      this.presentationCounts[id] += presentations[i];
      this.eventCounts[id] += events[i];
      const theirs = firstLearned[i] !== 0 ? firstLearned[i] : learned[i] ? 1 : 0;
      const ours = this.firstLearnedEpochs[id];
      if (theirs !== 0 && (ours === 0 || theirs < ours)) this.firstLearnedEpochs[id] = theirs;
      this.flags[id] = lastCorrect[i] ? LAST_CORRECT : 0;
    }
  }

  private countOf(id: number, neverLearnedCount: number | undefined): number {
    if (this.firstLearnedEpochs[id] !== 0) return this.eventCounts[id];
    return neverLearnedCount ?? this.presentationCounts[id];
  }

  private trackedIds(): Uint32Array {
    const ids = new Uint32Array(this.trackedCount);
    let next = 0;
    for (let id = 0; id < this.capacity; id++) if (this.presentationCounts[id] > 0) ids[next++] = id;
    return ids;
  }

  private ensureCapacity(needed: number): void {
    if (needed <= this.capacity) return;
    const capacity = Math.max(needed, this.capacity * 2);
    this.presentationCounts = grow(this.presentationCounts, new Uint32Array(capacity));
    this.eventCounts = grow(this.eventCounts, new Uint32Array(capacity));
    this.flags = grow(this.flags, new Uint8Array(capacity));
    this.firstLearnedEpochs = grow(this.firstLearnedEpochs, new Uint32Array(capacity));
  }
}

function grow<T extends Uint32Array | Uint8Array>(from: T, to: T): T {
  to.set(from);
  return to;
}

function maxId(ids: ArrayLike<number>): number {
  let max = -1;
  for (let i = 0; i < ids.length; i++) {
    const id = ids[i];
    if (!Number.isInteger(id) || id < 0 || id > 0xffffffff) throw new RangeError(`example id must be a uint32, got ${id}`);
    if (id > max) max = id;
  }
  return max;
}
