import { describe, expect, it } from 'vitest';
import {
  CountColumnForm,
  ExampleSetForm,
  ForgettingCodecError,
  decodeCountColumn,
  decodeExampleSet,
  decodeForgettingStats,
  encodeCountColumn,
  encodeExampleSet,
  encodeForgettingStats,
  forgettingStatsChunks,
  forgettingStatsMessage,
  joinBodyChunks,
  readForgettingStats,
  readRemovalSet,
  removalSetMessage,
  type ExampleStatistics,
} from '../../protocol/src/index.js';

const DATASET = { name: 'fashion-mnist', contentHash: 'ab'.repeat(32), size: 1000 };

function stats(ids: number[], presentations: number, events: (id: number) => number, learned: (id: number) => number): ExampleStatistics {
  return {
    ids: Uint32Array.from(ids),
    presentations: Uint32Array.from(ids, () => presentations),
    forgettingEvents: Uint32Array.from(ids, events),
    firstLearned: Uint32Array.from(ids, learned),
  };
}

describe('example sets', () => {
  it('round-trips and picks the index list for a sparse set, the bitmap for a dense one', () => {
    const sparse = encodeExampleSet([3, 40, 41, 999], 0, 1000);
    expect(sparse.form).toBe(ExampleSetForm.EXAMPLE_SET_FORM_INDICES);
    expect(Array.from(decodeExampleSet(sparse))).toEqual([3, 40, 41, 999]);
    const denseIds = Array.from({ length: 500 }, (_, i) => 100 + i * 2);
    const dense = encodeExampleSet(denseIds, 100, 1100);
    expect(dense.form).toBe(ExampleSetForm.EXAMPLE_SET_FORM_BITMAP);
    expect(dense.data.length).toBe(125);
    expect(Array.from(decodeExampleSet(dense))).toEqual(denseIds);
  });

  it('refuses ids outside the range or out of order, and a set whose checksum or count differs', () => {
    expect(() => encodeExampleSet([5], 6, 10)).toThrow(/outside/);
    expect(() => encodeExampleSet([7, 7], 0, 10)).toThrow(/increase strictly/);
    const set = encodeExampleSet([1, 2, 3], 0, 64);
    expect(() => decodeExampleSet({ ...set, checksum: set.checksum ^ 1 })).toThrow(ForgettingCodecError);
    expect(() => decodeExampleSet({ ...set, count: 4 })).toThrow(/count says 4/);
    expect(() => decodeExampleSet({ ...set, rangeEnd: 2 })).toThrow(ForgettingCodecError);
  });
});

describe('count columns', () => {
  it('sends only the exceptions when most values agree, one byte each otherwise, saturating at 255', () => {
    const mostlyZero = new Uint32Array(1000);
    mostlyZero[17] = 3;
    mostlyZero[900] = 1000;
    const sparse = encodeCountColumn(mostlyZero);
    expect(sparse.form).toBe(CountColumnForm.COUNT_COLUMN_FORM_SPARSE);
    expect(sparse.values.length + sparse.positions.length).toBeLessThan(10);
    const decoded = decodeCountColumn(sparse, 1000, 'x');
    expect(decoded[17]).toBe(3);
    expect(decoded[900]).toBe(255);
    expect(decoded.reduce((a, b) => a + b, 0)).toBe(258);

    const mostlyFive = Uint32Array.from({ length: 100 }, (_, i) => (i === 50 ? 2 : 5));
    const shifted = encodeCountColumn(mostlyFive);
    expect(shifted.defaultValue).toBe(5);
    expect(Array.from(decodeCountColumn(shifted, 100, 'x'))).toEqual(Array.from(mostlyFive));

    const varied = Uint32Array.from({ length: 64 }, (_, i) => i % 7);
    const dense = encodeCountColumn(varied);
    expect(dense.form).toBe(CountColumnForm.COUNT_COLUMN_FORM_DENSE);
    expect(Array.from(decodeCountColumn(dense, 64, 'x'))).toEqual(Array.from(varied));
  });

  it('refuses a column of another length', () => {
    const column = encodeCountColumn(Uint32Array.from([1, 2, 3, 4]));
    expect(() => decodeCountColumn(column, 5, 'presentations')).toThrow(/presentations: 4 values for 5 examples/);
    expect(() => decodeCountColumn(undefined, 5, 'first_learned')).toThrow(/first_learned: missing/);
  });
});

describe('ForgettingStats', () => {
  const shard = stats(
    Array.from({ length: 300 }, (_, i) => i * 3 + 1),
    4,
    (id) => (id % 11 === 0 ? 1 : 0),
    (id) => (id % 13 === 0 ? 0 : 1 + (id % 3)),
  );
  // An example forgotten must have been learned: make the forgotten ones learned.
  shard.firstLearned.forEach((value, i) => {
    if (shard.forgettingEvents[i] > 0 && value === 0) shard.firstLearned[i] = 1;
  });

  it('round-trips through bytes and chunks', () => {
    const message = forgettingStatsMessage({ dataset: DATASET, epoch: 4, final: false, epochsObserved: 4, stats: shard });
    const chunks = forgettingStatsChunks({ jobId: 'job-1', attempt: 2 }, message, 100);
    expect(chunks.length).toBeGreaterThan(1);
    expect(chunks.every((chunk) => chunk.epoch === 4 && chunk.jobId === 'job-1' && chunk.attempt === 2)).toBe(true);
    const content = readForgettingStats(decodeForgettingStats(joinBodyChunks([...chunks].reverse())));
    expect(content.dataset).toEqual(DATASET);
    expect(content.epochsObserved).toBe(4);
    expect(Array.from(content.stats.ids)).toEqual(Array.from(shard.ids));
    expect(Array.from(content.stats.forgettingEvents)).toEqual(Array.from(shard.forgettingEvents));
    expect(Array.from(content.stats.firstLearned)).toEqual(Array.from(shard.firstLearned));
    // 300 examples × 3 counts: far below 300 × 3 × 4 bytes of plain uint32 columns.
    expect(encodeForgettingStats(message).length).toBeLessThan(600);
  });

  it('refuses inconsistent content with a reason', () => {
    const message = forgettingStatsMessage({ dataset: DATASET, epoch: 4, final: false, epochsObserved: 4, stats: shard });
    expect(() => readForgettingStats({ ...message, dataset: undefined })).toThrow(/dataset identity missing/);
    expect(() => readForgettingStats({ ...message, dataset: { ...DATASET, size: 100 } })).toThrow(/outside the data set/);
    const varied = Uint32Array.from({ length: 299 }, (_, i) => 1 + (i % 5));
    expect(() => readForgettingStats({ ...message, presentations: encodeCountColumn(varied) })).toThrow(/299 values for 300/);
    // A sparse column lists exceptions only, so its length is the covered count's; a position past it is refused.
    const pastTheEnd = encodeCountColumn(Uint32Array.from({ length: 400 }, (_, i) => (i === 350 ? 9 : 4)));
    expect(() => readForgettingStats({ ...message, presentations: pastTheEnd })).toThrow(/presentations: index 350 out of range/);
    const tooManyEvents = stats([1, 2], 2, () => 2, () => 1);
    expect(() => readForgettingStats(forgettingStatsMessage({ dataset: DATASET, epoch: 2, final: false, epochsObserved: 2, stats: tooManyEvents }))).toThrow(
      /2 forgetting events in 2 presentations/,
    );
    const forgottenNeverLearned = stats([1], 3, () => 1, () => 0);
    expect(() => readForgettingStats(forgettingStatsMessage({ dataset: DATASET, epoch: 3, final: false, epochsObserved: 3, stats: forgottenNeverLearned }))).toThrow(
      /forgotten but never learned/,
    );
  });
});

describe('removal sets', () => {
  it('round-trips and refuses ids past the data set', () => {
    const removedIds = Uint32Array.from([0, 5, 999]);
    const message = removalSetMessage({ id: 'rs-1', version: 3, dataset: DATASET, removedIds });
    expect(readRemovalSet(message)).toEqual({ id: 'rs-1', version: 3, dataset: DATASET, removedIds });
    expect(() => readRemovalSet({ ...message, dataset: { ...DATASET, size: 999 } })).toThrow(ForgettingCodecError);
  });
});
