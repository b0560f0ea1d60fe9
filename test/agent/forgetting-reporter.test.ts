// Which forgetting reports become ForgettingStatsChunk pieces, under which key, and that the pieces carry exactly the
// engine's statistics.
import { describe, expect, it } from 'vitest';
import { ForgettingReporter, forgettingCadence } from '../../client/src/agent/forgetting-reporter.js';
import {
  ForgettingReportCadence,
  decodeForgettingStats,
  joinBodyChunks,
  readForgettingStats,
  type ForgettingStatsChunk,
} from '../../protocol/src/index.js';
import { FIXTURE_DATASET, forgettingReport } from './forgetting-fixtures.js';

const DATASET = FIXTURE_DATASET;

function reporter(cadence: ForgettingReportCadence, chunkBytes?: number): ForgettingReporter {
  return new ForgettingReporter({ jobId: 'job', attempt: 2, reporting: { cadence, dataset: DATASET }, chunkBytes });
}

function content(chunks: ForgettingStatsChunk[]) {
  return readForgettingStats(decodeForgettingStats(joinBodyChunks(chunks)));
}

describe('ForgettingReporter', () => {
  it("'epoch' sends every report, keyed by job, attempt and epoch, carrying exactly the statistics", () => {
    const sut = reporter(ForgettingReportCadence.FORGETTING_REPORT_CADENCE_EPOCH);

    const first = sut.onReport(forgettingReport(1));
    const second = sut.onReport(forgettingReport(2, true));

    expect(first.map((c) => [c.jobId, c.attempt, c.epoch, c.chunkIndex])).toEqual([['job', 2, 1, 0]]);
    expect(second.map((c) => c.epoch)).toEqual([2]);
    const sent = content(second);
    const expected = forgettingReport(2, true);
    expect(sent.dataset).toEqual(DATASET);
    expect([sent.epoch, sent.final, sent.epochsObserved]).toEqual([2, true, 2]);
    expect(sent.stats.ids).toEqual(expected.stats.ids);
    expect(sent.stats.presentations).toEqual(expected.stats.presentations);
    expect(sent.stats.forgettingEvents).toEqual(expected.stats.forgettingEvents);
    expect(sent.stats.firstLearned).toEqual(expected.stats.firstLearned);
  });

  it('cuts a report into numbered pieces of at most the chunk size', () => {
    const sut = reporter(ForgettingReportCadence.FORGETTING_REPORT_CADENCE_EPOCH, 100);

    const chunks = sut.onReport(forgettingReport(3));

    expect(chunks.length).toBeGreaterThan(2);
    expect(chunks.every((c) => c.data.length <= 100 && c.chunkCount === chunks.length && c.epoch === 3)).toBe(true);
    expect(chunks.map((c) => c.chunkIndex)).toEqual([...chunks.keys()]);
    expect(content(chunks).stats.ids).toEqual(forgettingReport(3).stats.ids);
  });

  it("'final' sends only the final report", () => {
    const sut = reporter(ForgettingReportCadence.FORGETTING_REPORT_CADENCE_FINAL);

    expect(sut.onReport(forgettingReport(1))).toEqual([]);
    expect(sut.onReport(forgettingReport(2, true))).toHaveLength(1);
  });

  it('sends an epoch once per attempt (its key would conflict)', () => {
    const sut = reporter(ForgettingReportCadence.FORGETTING_REPORT_CADENCE_EPOCH);

    expect(sut.onReport(forgettingReport(2))).toHaveLength(1);
    expect(sut.onReport(forgettingReport(2, true))).toEqual([]);
  });

  it('sends nothing once muted', () => {
    const sut = reporter(ForgettingReportCadence.FORGETTING_REPORT_CADENCE_EPOCH);
    sut.onReport(forgettingReport(1));

    sut.mute();

    expect(sut.onReport(forgettingReport(2))).toEqual([]);
  });

  it('is off, without an expected data set, when the job does not report', () => {
    for (const cadence of [ForgettingReportCadence.FORGETTING_REPORT_CADENCE_OFF, ForgettingReportCadence.FORGETTING_REPORT_CADENCE_UNSPECIFIED]) {
      const sut = reporter(cadence);
      expect([sut.enabled, sut.cadence, sut.expectedDataset]).toEqual([false, undefined, undefined]);
      expect(sut.onReport(forgettingReport(1, true))).toEqual([]);
    }
    expect(forgettingCadence(undefined)).toBeUndefined();
  });

  it('expects the registered data set when reporting', () => {
    expect(reporter(ForgettingReportCadence.FORGETTING_REPORT_CADENCE_FINAL).expectedDataset).toEqual(DATASET);
  });
});
