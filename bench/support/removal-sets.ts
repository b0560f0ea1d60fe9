// Removal sets for the data-efficiency benchmark, built with the coordinator's own merge and removal code
// (server/src/datastats/forgetting-aggregate.ts): engine forgetting reports → contributions → aggregate → the
// fraction rule's ids → a FleetRemoval the engine applies.
import {
  aggregateStatistics,
  removalIds,
  type DatasetAggregate,
  type ForgettingContribution,
} from '../../server/src/datastats/forgetting-aggregate.js';
import { sameDatasetIdentity, type DatasetIdentity } from '../../protocol/src/index.js';
import type { FleetRemoval } from '../../client/src/engine/train/fleet-removal.js';
import { createRng, shuffleInPlace } from '../../client/src/engine/util/rng.js';
import type { ForgettingReport } from '../../client/src/engine/train/types.js';

/** A finished statistics run: its job id and device (for provenance) and its final forgetting report. */
export interface StatisticsRun {
  readonly jobId: string;
  readonly deviceId: string;
  readonly report: ForgettingReport;
}

/** What the coordinator would hold for one data set: the aggregate of its received reports and their identity. */
export interface MergedStatistics {
  readonly dataset: DatasetIdentity;
  readonly aggregate: DatasetAggregate;
}

/** The reports as the coordinator receives them (attempt 1 each), merged with aggregateStatistics. */
export function mergeStatistics(runs: readonly StatisticsRun[]): MergedStatistics {
  const first = runs[0];
  if (first === undefined) throw new RangeError('no statistics to merge');
  const dataset = first.report.dataset;
  for (const run of runs) {
    if (!sameDatasetIdentity(run.report.dataset, dataset)) {
      throw new RangeError(`job ${run.jobId} reports statistics about another data set (${run.report.dataset.contentHash})`);
    }
  }
  const contributions: ForgettingContribution[] = runs.map((run) => ({
    jobId: run.jobId,
    attempt: 1,
    epoch: run.report.epoch,
    deviceId: run.deviceId,
    epochsObserved: run.report.epochsObserved,
    final: run.report.final,
    stats: run.report.stats,
  }));
  return { dataset, aggregate: aggregateStatistics(dataset.size, contributions) };
}

export interface BenchRemovalSet {
  readonly removal: FleetRemoval;
  /** round(fraction × examples trained on), what the rule asked for. */
  readonly requestedCount: number;
}

/**
 * MEST's fraction rule for removing `fraction` of the examples the statistics cover (all 60,000 in a full run; a
 * --train-limit run covers only its subset, so the rule's fraction of the full split is scaled down to match).
 * minEpochs = `minEpochs` (the statistics runs' epochs).
 */
export function fractionRemovalSet(merged: MergedStatistics, fraction: number, minEpochs: number, version: number): BenchRemovalSet {
  const { aggregate, dataset } = merged;
  const ruleFraction = (fraction * aggregate.coveredExamples) / aggregate.size;
  const selection = removalIds(aggregate, { kind: 'fraction', fraction: ruleFraction, minEpochs });
  return { removal: { removedIds: selection.ids, version, dataset }, requestedCount: selection.requestedCount };
}

/**
 * The control for a fraction rule's set: as many ids, drawn uniformly (seeded) from the examples the statistics
 * cover, so a run on it shows what removing that many examples costs when the statistics choose nothing.
 */
export function randomRemovalSet(merged: MergedStatistics, count: number, seed: number, version: number): FleetRemoval {
  const { aggregate, dataset } = merged;
  const covered: number[] = [];
  for (let id = 0; id < aggregate.size; id++) if (aggregate.contributors[id] > 0) covered.push(id);
  shuffleInPlace(covered, createRng(seed).derive(`random-removal/${count}`));
  return { removedIds: Uint32Array.from(covered.slice(0, count)).sort(), version, dataset };
}

/** Share of `a`'s ids that are also in `b` (both ascending). */
export function overlapShare(a: Uint32Array, b: Uint32Array): number {
  if (a.length === 0) return 0;
  let i = 0;
  let j = 0;
  let shared = 0;
  while (i < a.length && j < b.length) {
    if (a[i] === b[j]) {
      shared++;
      i++;
      j++;
    } else if (a[i] < b[j]) i++;
    else j++;
  }
  return shared / a.length;
}

/** How the merged statistics look: how many covered examples were never learned, or learned and never forgotten. */
export interface StatisticsSummary {
  readonly coveredExamples: number;
  readonly neverLearned: number;
  /** Learned, with zero forgetting events: the ties the fraction rule breaks by ascending id. */
  readonly unforgettable: number;
  readonly epochsObserved: number;
}

export function summarizeStatistics(merged: MergedStatistics): StatisticsSummary {
  const { aggregate } = merged;
  let neverLearned = 0;
  let unforgettable = 0;
  for (let id = 0; id < aggregate.size; id++) {
    if (aggregate.contributors[id] === 0) continue;
    if (aggregate.firstLearned[id] === 0) neverLearned++;
    else if (aggregate.forgettingEvents[id] === 0) unforgettable++;
  }
  return { coveredExamples: aggregate.coveredExamples, neverLearned, unforgettable, epochsObserved: aggregate.epochsObserved };
}
