import { describe, expect, it } from 'vitest';
import { ForgettingTracker } from '../../../client/src/engine/forgetting/index.js';

/** Feeds one id's accuracy sequence, one presentation per call. */
function feed(tracker: ForgettingTracker, id: number, sequence: readonly number[]): void {
  for (const correct of sequence) tracker.record([id], [correct]);
}

describe(ForgettingTracker.name, () => {
  it('should count 1→0 transitions (spec §8.7: 0,1,1,0,1,0 → 2 events)', () => {
    const sut = new ForgettingTracker(4);
    feed(sut, 2, [0, 1, 1, 0, 1, 0]);

    expect(sut.forgettingCounts()).toEqual({ ids: Uint32Array.from([2]), counts: Uint32Array.from([2]) });
    expect(sut.presentations(2)).toBe(6);
    expect(Array.from(sut.unforgettable())).toEqual([]);
  });

  it('should give never-learned examples neverLearnedCount, defaulting to their presentations', () => {
    const sut = new ForgettingTracker(1);
    feed(sut, 0, [0, 0, 0]);

    expect(Array.from(sut.forgettingCounts({ neverLearnedCount: 160 }).counts)).toEqual([160]);
    expect(Array.from(sut.forgettingCounts().counts)).toEqual([3]);
  });

  it('should mark an always-correct example unforgettable with count 0', () => {
    const sut = new ForgettingTracker(3);
    feed(sut, 1, [1, 1, 1]);

    expect(Array.from(sut.forgettingCounts().counts)).toEqual([0]);
    expect(Array.from(sut.unforgettable())).toEqual([1]);
  });

  it('should record a whole batch per call, accepting any non-zero value as correct', () => {
    const sut = new ForgettingTracker(0);
    sut.record(Uint32Array.from([5, 7]), Uint8Array.from([1, 1]));
    sut.record([7, 5], [0, 2]);

    expect(sut.capacity).toBeGreaterThanOrEqual(8);
    expect(Array.from(sut.forgettingCounts().ids)).toEqual([5, 7]);
    expect(Array.from(sut.forgettingCounts().counts)).toEqual([0, 1]);
    expect(sut.presentations(6)).toBe(0);
    expect(sut.presentations(1000)).toBe(0);
  });

  it('should reject mismatched lengths and invalid ids', () => {
    const sut = new ForgettingTracker(2);
    expect(() => sut.record([0, 1], [1])).toThrow(/2 ids but 1 results/);
    expect(() => sut.record([-1], [1])).toThrow(/uint32/);
  });

  it('should sort by ascending count with ties by id, and cut the removal slice from that order', () => {
    // Prepare: counts id0=1, id1=0, id2=never (3 presentations), id3=0, id4=2
    const sut = new ForgettingTracker(5);
    for (const row of [
      [1, 1, 0, 1, 1],
      [0, 1, 0, 1, 0],
      [1, 1, 0, 1, 1],
    ]) {
      sut.record([0, 1, 2, 3, 4], row);
    }
    feed(sut, 4, [0]);

    // Execute
    const sorted = sut.toSortedImportance({ neverLearnedCount: 160 });

    // Assert
    expect(Array.from(sorted.indices)).toEqual([1, 3, 0, 4, 2]);
    expect(Array.from(sorted.forgettingCounts)).toEqual([0, 0, 1, 2, 160]);
    expect(sorted.unforgettable).toBe(2);
    expect(Array.from(sut.sortedImportance({ neverLearnedCount: 160 }))).toEqual([1, 3, 0, 4, 2]);
    expect(Array.from(sut.removalSet({ removeCount: 2, keepLowest: 1, neverLearnedCount: 160 }))).toEqual([3, 0]);
    expect(Array.from(sut.removalSet({ removeCount: 3 }))).toEqual([1, 3, 0]);
    expect(Array.from(sut.removalSet({ removeCount: 10, keepLowest: 4 }))).toEqual([2]); // clipped at the end
  });

  it('should forget everything on reset', () => {
    const sut = new ForgettingTracker(2);
    feed(sut, 1, [1, 0]);
    sut.reset();

    expect(sut.presentations(1)).toBe(0);
    expect(sut.forgettingCounts().ids.length).toBe(0);
    feed(sut, 1, [0, 1]);
    expect(Array.from(sut.forgettingCounts().counts)).toEqual([0]);
  });

  it('should merge statistics from several devices keyed by example id', () => {
    // Prepare: device A saw ids 0 and 1, device B saw ids 1 and 2
    const a = new ForgettingTracker(2);
    a.record([0, 1], [1, 1]);
    a.record([0, 1], [0, 0]);
    const b = new ForgettingTracker(3);
    b.record([1, 2], [1, 0]);
    b.record([1, 2], [0, 0]);

    // Execute
    const fleet = new ForgettingTracker();
    fleet.merge(a);
    fleet.merge(b.snapshot());

    // Assert
    expect(Array.from(fleet.forgettingCounts().ids)).toEqual([0, 1, 2]);
    expect(Array.from(fleet.forgettingCounts().counts)).toEqual([1, 2, 2]); // id 2 never learned: 2 presentations
    expect(fleet.presentations(1)).toBe(4);
    fleet.record([1], [1]);
    fleet.record([1], [0]);
    expect(fleet.forgettingCounts().counts[1]).toBe(3); // B's last result (0) is the latest: 0→1→0 adds one event
  });

  it('should rebuild an identical tracker from a snapshot', () => {
    const sut = new ForgettingTracker(10);
    sut.record([3, 9, 4], [1, 0, 1]);
    sut.record([3, 9, 4], [0, 0, 1]);

    const copy = ForgettingTracker.fromSnapshot(sut.snapshot());

    expect(copy.snapshot()).toEqual(sut.snapshot());
    expect(copy.toSortedImportance()).toEqual(sut.toSortedImportance());
  });

  it('should stay compact for 60k examples × 160 presentations', () => {
    const sut = new ForgettingTracker(60_000);
    const ids = Uint32Array.from({ length: 60_000 }, (_, i) => i);
    const correct = new Uint8Array(60_000);
    for (let epoch = 0; epoch < 160; epoch++) {
      for (let i = 0; i < correct.length; i++) correct[i] = (i + epoch) % 3 === 0 ? 0 : 1;
      sut.record(ids, correct);
    }

    expect(sut.presentations(59_999)).toBe(160);
    expect(sut.capacity).toBe(60_000);
    // Pattern 1,1,0 repeating (shifted per id): one forgetting event per period of 3 except at the sequence start.
    const counts = sut.forgettingCounts().counts;
    expect(new Set(counts)).toEqual(new Set([53]));
  });
});
