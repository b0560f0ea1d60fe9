import { describe, expect, it } from 'vitest';
import {
  ForgettingTracker,
  SORTED_IMPORTANCE_FORMAT,
  SortedImportanceFormatError,
  decodeSortedImportance,
  encodeSortedImportance,
  fromSortedImportanceJson,
  removalSlice,
  toSortedImportanceJson,
  type SortedImportance,
} from '../../../client/src/engine/forgetting/index.js';

const record: SortedImportance = {
  indices: Uint32Array.from([7, 2, 9, 0]),
  forgettingCounts: Uint32Array.from([0, 0, 3, 160]),
  unforgettable: 2,
};

describe('sorted importance JSON', () => {
  it('should round-trip exactly through JSON text', () => {
    const json = toSortedImportanceJson(record);
    const back = fromSortedImportanceJson(JSON.stringify(json));

    expect(json.format).toBe(SORTED_IMPORTANCE_FORMAT);
    expect(json.indices).toEqual([7, 2, 9, 0]);
    expect(back).toEqual(record);
  });

  it('should reject a wrong format, mismatched lengths, bad numbers, unsorted counts and duplicates', () => {
    const json = toSortedImportanceJson(record);
    const cases: [unknown, RegExp][] = [
      ['{not json', /not valid JSON/],
      [{ ...json, format: 'other' }, /format is "other"/],
      [{ ...json, forgettingCounts: [0, 0, 3] }, /4 indices but 3 forgetting counts/],
      [{ ...json, indices: [7, 2, -9, 0] }, /indices\[2\] is -9/],
      [{ ...json, indices: [7, 2, 9.5, 0] }, /indices\[2\]/],
      [{ ...json, forgettingCounts: [0, 3, 0, 160] }, /not in ascending order at position 2/],
      [{ ...json, indices: [7, 2, 7, 0] }, /id 7 appears more than once/],
      [{ ...json, unforgettable: 5 }, /unforgettable must be an integer in 0..4/],
      [null, /not a JSON object/],
    ];
    for (const [input, message] of cases) {
      expect(() => fromSortedImportanceJson(input)).toThrow(SortedImportanceFormatError);
      expect(() => fromSortedImportanceJson(input)).toThrow(message);
    }
  });
});

describe('sorted importance binary', () => {
  it('should round-trip exactly with 16-bit counts and use the documented layout', () => {
    const bytes = encodeSortedImportance(record);

    expect(bytes.length).toBe(16 + 4 * 4 + 2 * 4);
    expect(Array.from(bytes.subarray(0, 6))).toEqual([0x53, 0x46, 0x53, 0x49, 1, 2]);
    expect(new DataView(bytes.buffer).getUint32(8, true)).toBe(4);
    expect(new DataView(bytes.buffer).getUint32(16, true)).toBe(7);
    expect(decodeSortedImportance(bytes)).toEqual(record);
  });

  it('should switch to 32-bit counts when a count exceeds 65535', () => {
    const big = { ...record, forgettingCounts: Uint32Array.from([0, 0, 3, 70_000]) };
    const bytes = encodeSortedImportance(big);

    expect(bytes[5]).toBe(4);
    expect(decodeSortedImportance(bytes)).toEqual(big);
  });

  it('should round-trip a tracker export', () => {
    const tracker = new ForgettingTracker(100);
    for (let epoch = 0; epoch < 5; epoch++) {
      tracker.record(Array.from({ length: 100 }, (_, i) => i), Array.from({ length: 100 }, (_, i) => (i * epoch) % 4 === 0 ? 1 : 0));
    }
    const exported = tracker.toSortedImportance({ neverLearnedCount: 160 });

    expect(decodeSortedImportance(encodeSortedImportance(exported))).toEqual(exported);
    expect(fromSortedImportanceJson(toSortedImportanceJson(exported))).toEqual(exported);
  });

  it('should reject corrupt input with a clear message', () => {
    const bytes = encodeSortedImportance(record);
    const corrupt = (edit: (copy: Uint8Array) => void): Uint8Array => {
      const copy = bytes.slice();
      edit(copy);
      return copy;
    };

    expect(() => decodeSortedImportance(bytes.subarray(0, 10))).toThrow(/shorter than the 16-byte header/);
    expect(() => decodeSortedImportance(corrupt((b) => (b[0] = 0)))).toThrow(/bad magic/);
    expect(() => decodeSortedImportance(corrupt((b) => (b[4] = 2)))).toThrow(/unsupported version 2/);
    expect(() => decodeSortedImportance(corrupt((b) => (b[5] = 3)))).toThrow(/bytes per count is 3/);
    expect(() => decodeSortedImportance(bytes.subarray(0, bytes.length - 1))).toThrow(/needs exactly 40/);
    expect(() => decodeSortedImportance(corrupt((b) => (b[32] = 9)))).toThrow(/not in ascending order/);
  });
});

describe(removalSlice.name, () => {
  it('should take [keepLowest, keepLowest + removeCount), not the reference empty slice', () => {
    expect(Array.from(removalSlice(record, 2))).toEqual([7, 2]);
    expect(Array.from(removalSlice(record, 2, 1))).toEqual([2, 9]);
    expect(Array.from(removalSlice(record, 0))).toEqual([]);
    expect(() => removalSlice(record, -1)).toThrow(/removeCount/);
  });
});
