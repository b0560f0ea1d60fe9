import { describe, expect, it } from 'vitest';
import { decodeForgettingSnapshot, encodeForgettingSnapshot } from '../../../client/src/engine/checkpoint/forgetting-codec.js';
import { ForgettingTracker } from '../../../client/src/engine/forgetting/tracker.js';

/** The layout-1 bytes (before first-learned epochs were kept): u32 n, ids, presentations, events, learned, lastCorrect. */
function layout1(rows: { id: number; presentations: number; events: number; learned: number; lastCorrect: number }[]): Uint8Array {
  const n = rows.length;
  const bytes = new Uint8Array(4 + 14 * n);
  const view = new DataView(bytes.buffer);
  view.setUint32(0, n, true);
  rows.forEach((row, i) => {
    view.setUint32(4 + 4 * i, row.id, true);
    view.setUint32(4 + 4 * n + 4 * i, row.presentations, true);
    view.setUint32(4 + 8 * n + 4 * i, row.events, true);
    bytes[4 + 12 * n + i] = row.learned;
    bytes[4 + 13 * n + i] = row.lastCorrect;
  });
  return bytes;
}

describe('ForgettingTracker first-learned epochs', () => {
  it('should record 1 + the epoch of the first correct presentation, 0 for never', () => {
    // Prepare
    const sut = new ForgettingTracker();

    // Execute: id 0 right in epoch 0, id 1 first right in epoch 2, id 2 never right
    sut.record([0, 1, 2], [1, 0, 0], 0);
    sut.record([0, 1, 2], [0, 0, 0], 1);
    sut.record([0, 1, 2], [1, 1, 0], 2);
    sut.record([0, 1, 2], [1, 0, 0], 3);

    // Assert
    expect(Array.from(sut.snapshot().firstLearned)).toEqual([1, 3, 0]);
    expect(sut.statistics()).toEqual({
      ids: Uint32Array.of(0, 1, 2),
      presentations: Uint32Array.of(4, 4, 4),
      forgettingEvents: Uint32Array.of(1, 1, 0),
      firstLearned: Uint32Array.of(1, 3, 0),
    });
    expect(Array.from(sut.forgettingCounts().counts)).toEqual([1, 1, 4]); // never learned: its presentations
  });

  it('should merge first-learned epochs as the earliest non-zero one', () => {
    // Prepare: A learns id 5 in epoch 3, B in epoch 1; only B learns id 6; nobody learns id 7
    const a = new ForgettingTracker();
    a.record([5, 6, 7], [0, 0, 0], 0);
    a.record([5, 6, 7], [1, 0, 0], 3);
    const b = new ForgettingTracker();
    b.record([5, 6, 7], [1, 1, 0], 1);

    // Execute
    const ab = new ForgettingTracker();
    ab.merge(a);
    ab.merge(b);
    const ba = new ForgettingTracker();
    ba.merge(b.snapshot());
    ba.merge(a.snapshot());

    // Assert
    expect(Array.from(ab.snapshot().firstLearned)).toEqual([2, 2, 0]);
    expect(ba.snapshot().firstLearned).toEqual(ab.snapshot().firstLearned);
  });

  it('should round-trip first-learned epochs through the checkpoint codec (layout 2)', () => {
    const sut = new ForgettingTracker();
    sut.record([2, 9, 4], [0, 1, 0], 0);
    sut.record([2, 9, 4], [1, 0, 0], 6);

    const bytes = encodeForgettingSnapshot(sut.snapshot());
    const decoded = decodeForgettingSnapshot(bytes);

    expect(Array.from(bytes.subarray(0, 5))).toEqual([0x53, 0x46, 0x46, 0x53, 2]);
    expect(bytes.length).toBe(12 + 17 * 3);
    expect(decoded).toEqual(sut.snapshot());
    expect(Array.from(decoded.firstLearned)).toEqual([7, 0, 1]);
  });

  it('should restore a layout-1 snapshot with first-learned 1 for learned examples and 0 otherwise', () => {
    // Prepare
    const bytes = layout1([
      { id: 3, presentations: 4, events: 1, learned: 1, lastCorrect: 0 },
      { id: 8, presentations: 4, events: 0, learned: 0, lastCorrect: 0 },
    ]);

    // Execute
    const restored = ForgettingTracker.fromSnapshot(decodeForgettingSnapshot(bytes));

    // Assert
    expect(restored.statistics()).toEqual({
      ids: Uint32Array.of(3, 8),
      presentations: Uint32Array.of(4, 4),
      forgettingEvents: Uint32Array.of(1, 0),
      firstLearned: Uint32Array.of(1, 0),
    });
    expect(Array.from(restored.forgettingCounts().counts)).toEqual([1, 4]);
    restored.record([3], [1], 9); // already learned: the restored epoch stays
    expect(restored.firstLearned(3)).toBe(1);
  });

  it('should refuse truncated snapshots of either layout', () => {
    const current = encodeForgettingSnapshot(new ForgettingTracker().snapshot());
    const legacy = layout1([{ id: 1, presentations: 1, events: 0, learned: 1, lastCorrect: 1 }]);

    expect(() => decodeForgettingSnapshot(legacy.subarray(0, legacy.length - 1))).toThrow(/needs 18 bytes/);
    const longer = new Uint8Array(current.length + 1);
    longer.set(current);
    expect(() => decodeForgettingSnapshot(longer)).toThrow(/needs 12 bytes/);
  });
});
