// The merge algebra and removal rules of fleet forgetting statistics (server/src/datastats/forgetting-aggregate.ts):
// properties over random report sets (any order, any resend, superseded attempts) and hand-computed small cases.
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  aggregateStatistics,
  forgettingCounts,
  removalIds,
  removalRuleProblem,
  selectContributions,
  type DatasetAggregate,
  type ForgettingContribution,
} from '../../../server/src/datastats/forgetting-aggregate.js';

const SIZE = 24;

/** Statistics over a random subset of 0..SIZE-1, each entry internally consistent. */
const statsArbitrary = fc
  .array(
    fc.record({
      presentations: fc.integer({ min: 1, max: 6 }),
      events: fc.integer({ min: 0, max: 5 }),
      firstLearned: fc.integer({ min: 0, max: 6 }),
    }),
    { minLength: SIZE, maxLength: SIZE },
  )
  .chain((entries) => fc.subarray(entries.map((entry, id) => ({ id, ...entry })), { minLength: 0 }))
  .map((entries) => ({
    ids: Uint32Array.from(entries, (entry) => entry.id),
    presentations: Uint32Array.from(entries, (entry) => entry.presentations),
    forgettingEvents: Uint32Array.from(entries, (entry) => (entry.firstLearned === 0 ? 0 : Math.min(entry.events, entry.presentations - 1))),
    firstLearned: Uint32Array.from(entries, (entry) => entry.firstLearned),
  }));

/** Distinct reports: per job several (attempt, epoch) keys, each with its own content. */
const reportSetArbitrary = fc
  .uniqueArray(
    fc.record({
      jobId: fc.constantFrom('job-a', 'job-b', 'job-c', 'job-d'),
      attempt: fc.integer({ min: 1, max: 3 }),
      epoch: fc.integer({ min: 1, max: 4 }),
      deviceId: fc.constantFrom('dev-1', 'dev-2', 'dev-3'),
      epochsObserved: fc.integer({ min: 1, max: 4 }),
      final: fc.boolean(),
      stats: statsArbitrary,
    }),
    { minLength: 1, maxLength: 10, selector: (report) => `${report.jobId}/${report.attempt}/${report.epoch}` },
  )
  .map((reports) => reports as ForgettingContribution[]);

/** The received stream: every report at least once, some several times, in a random order. */
function receivedStream(reports: readonly ForgettingContribution[]) {
  return fc
    .tuple(fc.array(fc.nat({ max: reports.length - 1 }), { maxLength: 12 }), fc.infiniteStream(fc.nat()))
    .map(([resends, randomness]) => {
      const stream = [...reports, ...resends.map((index) => reports[index])];
      const order = stream.map((report) => ({ report, key: randomness.next().value }));
      return order.sort((a, b) => a.key - b.key).map((entry) => entry.report);
    });
}

function plain(aggregate: DatasetAggregate) {
  return {
    ...aggregate,
    presentations: [...aggregate.presentations],
    forgettingEvents: [...aggregate.forgettingEvents],
    firstLearned: [...aggregate.firstLearned],
    contributors: [...aggregate.contributors],
  };
}

function contribution(
  jobId: string,
  key: { attempt?: number; epoch: number; epochsObserved: number; final?: boolean; deviceId?: string },
  rows: ReadonlyArray<readonly [id: number, presentations: number, events: number, firstLearned: number]>,
): ForgettingContribution {
  return {
    jobId,
    attempt: key.attempt ?? 1,
    epoch: key.epoch,
    epochsObserved: key.epochsObserved,
    final: key.final ?? false,
    deviceId: key.deviceId ?? 'dev-1',
    stats: {
      ids: Uint32Array.from(rows, (row) => row[0]),
      presentations: Uint32Array.from(rows, (row) => row[1]),
      forgettingEvents: Uint32Array.from(rows, (row) => row[2]),
      firstLearned: Uint32Array.from(rows, (row) => row[3]),
    },
  };
}

/** An aggregate with the given per-id (presentations, events, firstLearned), from one job. */
function aggregateOf(rows: ReadonlyArray<readonly [presentations: number, events: number, firstLearned: number]>): DatasetAggregate {
  const covered = rows.flatMap((row, id) => (row[0] > 0 ? [[id, ...row] as const] : []));
  return aggregateStatistics(rows.length, [contribution('job', { epoch: 1, epochsObserved: 1 }, covered)]);
}

describe('merge algebra', () => {
  it('gives the identical aggregate for any arrival order and any resends of the same report set', () => {
    fc.assert(
      fc.property(
        reportSetArbitrary.chain((reports) => fc.tuple(fc.constant(reports), receivedStream(reports), receivedStream(reports))),
        ([reports, streamA, streamB]) => {
          const reference = plain(aggregateStatistics(SIZE, reports));
          expect(plain(aggregateStatistics(SIZE, streamA))).toEqual(reference);
          expect(plain(aggregateStatistics(SIZE, streamB))).toEqual(reference);
        },
      ),
      { numRuns: 300 },
    );
  });

  it('is associative: merging the selections of two halves equals merging everything', () => {
    fc.assert(
      fc.property(reportSetArbitrary, fc.nat(), (reports, cut) => {
        const split = cut % (reports.length + 1);
        const selectedOfHalves = [...selectContributions(reports.slice(0, split)), ...selectContributions(reports.slice(split))];
        expect(selectContributions(selectedOfHalves)).toEqual(selectContributions(reports));
      }),
      { numRuns: 300 },
    );
  });

  it('counts each job once, from its report with the greatest (epochsObserved, final, attempt, epoch)', () => {
    fc.assert(
      fc.property(reportSetArbitrary, (reports) => {
        const aggregate = aggregateStatistics(SIZE, reports);
        const jobs = [...new Set(reports.map((report) => report.jobId))].sort();
        expect(aggregate.jobs.map((job) => job.jobId)).toEqual(jobs);
        // Oracle: per id, the sums over each job's maximal report computed independently.
        const expectedPresentations = new Array<number>(SIZE).fill(0);
        for (const jobId of jobs) {
          const best = reports
            .filter((report) => report.jobId === jobId)
            .reduce((a, b) => {
              const keyA = [a.epochsObserved, Number(a.final), a.attempt, a.epoch];
              const keyB = [b.epochsObserved, Number(b.final), b.attempt, b.epoch];
              for (let i = 0; i < keyA.length; i++) if (keyA[i] !== keyB[i]) return keyA[i] > keyB[i] ? a : b;
              return a;
            });
          best.stats.ids.forEach((id, i) => (expectedPresentations[id] += best.stats.presentations[i]));
        }
        expect([...aggregate.presentations]).toEqual(expectedPresentations);
      }),
      { numRuns: 300 },
    );
  });

  it('lets a later cumulative report of a job supersede its earlier ones', () => {
    const epoch1 = contribution('job-a', { epoch: 1, epochsObserved: 1 }, [[0, 1, 0, 1], [1, 1, 0, 0]]);
    const epoch2 = contribution('job-a', { epoch: 2, epochsObserved: 2 }, [[0, 2, 0, 1], [1, 2, 0, 2], [2, 1, 0, 0]]);
    const other = contribution('job-b', { epoch: 1, epochsObserved: 1, deviceId: 'dev-2' }, [[1, 1, 0, 1]]);
    const aggregate = aggregateStatistics(4, [epoch2, epoch1, other, epoch1]);
    expect([...aggregate.presentations]).toEqual([2, 3, 1, 0]);
    expect([...aggregate.firstLearned]).toEqual([1, 1, 0, 0]);
    expect([...aggregate.contributors]).toEqual([1, 2, 1, 0]);
    expect(aggregate.jobs.map((job) => [job.jobId, job.epoch])).toEqual([['job-a', 2], ['job-b', 1]]);
    expect(aggregate.devices).toEqual(['dev-1', 'dev-2']);
    expect(aggregate.contributions).toBe(3);
    expect(aggregate.epochsObserved).toBe(3);
    expect(aggregate.coveredExamples).toBe(3);
  });

  it('never counts a retried attempt twice, and keeps the attempt that observed more epochs', () => {
    const firstAttempt = contribution('job-a', { attempt: 1, epoch: 3, epochsObserved: 3 }, [[0, 3, 1, 1]]);
    // The retry started over without the checkpoint and has seen only one epoch so far.
    const retry = contribution('job-a', { attempt: 2, epoch: 1, epochsObserved: 1, deviceId: 'dev-2' }, [[0, 1, 0, 1]]);
    for (const order of [[firstAttempt, retry], [retry, firstAttempt, retry]]) {
      const aggregate = aggregateStatistics(1, order);
      expect([...aggregate.presentations]).toEqual([3]);
      expect(aggregate.jobs).toEqual([{ jobId: 'job-a', attempt: 1, epoch: 3, deviceId: 'dev-1', epochsObserved: 3, final: false, coveredExamples: 1 }]);
      expect(aggregate.devices).toEqual(['dev-1']);
    }
    // At equal epochs a final report wins, then the later attempt.
    const resumedFinal = contribution('job-a', { attempt: 2, epoch: 3, epochsObserved: 3, final: true, deviceId: 'dev-2' }, [[0, 3, 2, 1]]);
    expect([...aggregateStatistics(1, [resumedFinal, firstAttempt, retry]).forgettingEvents]).toEqual([2]);
  });

  it('takes the earliest first-learned epoch across jobs and ignores jobs that never learned the example', () => {
    const aggregate = aggregateStatistics(2, [
      contribution('job-a', { epoch: 2, epochsObserved: 2 }, [[0, 2, 0, 2], [1, 2, 0, 0]]),
      contribution('job-b', { epoch: 2, epochsObserved: 2 }, [[0, 2, 1, 1], [1, 2, 0, 0]]),
      contribution('job-c', { epoch: 2, epochsObserved: 2 }, [[0, 2, 0, 0], [1, 2, 0, 3]]),
    ]);
    expect([...aggregate.firstLearned]).toEqual([1, 3]);
    expect([...aggregate.forgettingEvents]).toEqual([1, 0]);
  });

  it('refuses statistics about ids outside the data set', () => {
    expect(() => aggregateStatistics(2, [contribution('job-a', { epoch: 1, epochsObserved: 1 }, [[2, 1, 0, 1]])])).toThrow(RangeError);
  });
});

describe('forgetting counts', () => {
  it('are forgetting events when learned, presentations when never learned, 0 when uncovered', () => {
    const aggregate = aggregateOf([[3, 1, 1], [3, 0, 0], [0, 0, 0], [4, 0, 2]]);
    expect([...forgettingCounts(aggregate)]).toEqual([1, 3, 0, 0]);
  });
});

describe('removal rules', () => {
  // id:            0          1          2          3          4          5          6          7
  // counts:        2          0          1          0          3 (never)  0          1          - (uncovered)
  const aggregate = aggregateOf([[3, 2, 1], [3, 0, 1], [3, 1, 2], [1, 0, 1], [3, 0, 0], [3, 0, 1], [2, 1, 1], [0, 0, 0]]);

  it('fraction: removes the least-forgotten eligible ids, ties by ascending id', () => {
    // round(0.5 * 8) = 4; eligible with minEpochs 2: 0,1,2,4,5,6 → ranked 1(0),5(0),2(1),6(1),0(2),4(3).
    expect(removalIds(aggregate, { kind: 'fraction', fraction: 0.5, minEpochs: 2 })).toEqual({ ids: Uint32Array.from([1, 2, 5, 6]), requestedCount: 4 });
    // minEpochs 1 admits id 3 (count 0), which ranks between 1 and 5.
    expect(removalIds(aggregate, { kind: 'fraction', fraction: 0.25, minEpochs: 1 })).toEqual({ ids: Uint32Array.from([1, 3]), requestedCount: 2 });
  });

  it('fraction: rounds r × size to the nearest count and removes fewer when fewer are eligible', () => {
    // 0.3 * 8 = 2.4 → 2; 0.32 * 8 = 2.56 → 3.
    expect(removalIds(aggregate, { kind: 'fraction', fraction: 0.3, minEpochs: 2 }).ids).toEqual(Uint32Array.from([1, 5]));
    expect(removalIds(aggregate, { kind: 'fraction', fraction: 0.32, minEpochs: 2 }).ids).toEqual(Uint32Array.from([1, 2, 5]));
    // minEpochs 3: eligible 0,1,2,4,5 only; 0.9 * 8 = 7.2 → 7 requested, 5 removed.
    expect(removalIds(aggregate, { kind: 'fraction', fraction: 0.9, minEpochs: 3 })).toEqual({ ids: Uint32Array.from([0, 1, 2, 4, 5]), requestedCount: 7 });
  });

  it('threshold: removes eligible learned ids whose count is at most k, never the unlearned', () => {
    expect(removalIds(aggregate, { kind: 'threshold', maxForgetting: 0, minEpochs: 2 })).toEqual({ ids: Uint32Array.from([1, 5]), requestedCount: 2 });
    expect(removalIds(aggregate, { kind: 'threshold', maxForgetting: 1, minEpochs: 1 }).ids).toEqual(Uint32Array.from([1, 2, 3, 5, 6]));
    // Id 4 (never learned, count 3) stays even with a generous threshold.
    expect(removalIds(aggregate, { kind: 'threshold', maxForgetting: 10, minEpochs: 3 }).ids).toEqual(Uint32Array.from([0, 1, 2, 5]));
  });

  it('rejects rules outside their domain', () => {
    expect(removalRuleProblem({ kind: 'fraction', fraction: 0, minEpochs: 1 })).toMatch(/fraction/);
    expect(removalRuleProblem({ kind: 'fraction', fraction: 1, minEpochs: 1 })).toMatch(/fraction/);
    expect(removalRuleProblem({ kind: 'fraction', fraction: 0.5, minEpochs: 0 })).toMatch(/minEpochs/);
    expect(removalRuleProblem({ kind: 'threshold', maxForgetting: -1, minEpochs: 1 })).toMatch(/maxForgetting/);
    expect(removalRuleProblem({ kind: 'threshold', maxForgetting: 0.5, minEpochs: 1 })).toMatch(/maxForgetting/);
    expect(removalRuleProblem({ kind: 'threshold', maxForgetting: 0, minEpochs: 1 })).toBeUndefined();
    expect(() => removalIds(aggregate, { kind: 'fraction', fraction: 1.5, minEpochs: 1 })).toThrow(RangeError);
  });

  it('is a function of the report set: any order and resends remove the same ids', () => {
    fc.assert(
      fc.property(
        reportSetArbitrary.chain((reports) => fc.tuple(fc.constant(reports), receivedStream(reports))),
        fc.double({ min: 0.05, max: 0.95, noNaN: true }),
        fc.integer({ min: 1, max: 4 }),
        ([reports, stream], fraction, minEpochs) => {
          const rule = { kind: 'fraction', fraction, minEpochs } as const;
          expect(removalIds(aggregateStatistics(SIZE, stream), rule)).toEqual(removalIds(aggregateStatistics(SIZE, reports), rule));
        },
      ),
      { numRuns: 200 },
    );
  });
});
