// What the datastats module answers with: plain objects (no wire types), which the REST DTOs mirror. Pure helpers
// that turn an aggregate into the histogram and the CSV export live here too.
import { forgettingCounts, type DatasetAggregate, type RemovalRule } from './forgetting-aggregate.js';

export interface DatasetIdentityView {
  readonly name: string;
  readonly contentHash: string;
  readonly size: number;
}

export interface DatasetSummaryView extends DatasetIdentityView {
  readonly registeredAt: string;
  /** Distinct reports received ((job, attempt, epoch) once however often sent). */
  readonly contributions: number;
  /** Jobs with a selected report. */
  readonly jobs: number;
  readonly devices: number;
  readonly coveredExamples: number;
  /** Σ epochsObserved over the selected reports. */
  readonly epochsObserved: number;
  readonly latestRemovalSet?: { readonly id: string; readonly version: number };
}

export interface HistogramBin {
  readonly forgettingCount: number;
  readonly examples: number;
}

export interface ContributionView {
  readonly jobId: string;
  readonly attempt: number;
  readonly epoch: number;
  readonly deviceId: string;
  readonly epochsObserved: number;
  readonly final: boolean;
  /** Examples the report covers. */
  readonly examples: number;
  /** Whether this is the report of its job that counts (the greatest (epochsObserved, final, attempt, epoch)). */
  readonly selected: boolean;
  readonly receivedAt: string;
}

export interface ProvenanceView {
  readonly devices: string[];
  readonly jobs: { jobId: string; attempt: number; epochsObserved: number }[];
  readonly epochsObserved: number;
  readonly contributions: number;
}

export interface RemovalSetView {
  readonly id: string;
  readonly version: number;
  readonly dataset: DatasetIdentityView;
  readonly rule: RemovalRule;
  readonly requestedCount: number;
  readonly removedCount: number;
  readonly createdAt: string;
  readonly provenance: ProvenanceView;
}

/** A job that trained on one of the data set's removal sets, with its accuracy once it finished. */
export interface TrainedJobView {
  readonly jobId: string;
  readonly removalSetId: string;
  /** The set version it ended on (its result says), or the one it was submitted with while it has no result. */
  readonly version: number;
  /** Removed examples / data-set size. */
  readonly removedFraction: number;
  readonly testAccuracy: number | null;
  readonly state: string;
}

export interface DatasetDetailView {
  readonly summary: DatasetSummaryView;
  /** Learned covered examples by forgetting count, ascending (counts no example has are left out). */
  readonly histogram: HistogramBin[];
  /** Covered examples no selected report saw learned. */
  readonly neverLearned: number;
  /** Learned covered examples never forgotten. */
  readonly unforgettable: number;
  readonly uncovered: number;
  readonly contributions: ContributionView[];
  readonly removalSets: RemovalSetView[];
  readonly trainedJobs: TrainedJobView[];
}

export function histogramOf(aggregate: DatasetAggregate): { histogram: HistogramBin[]; neverLearned: number; unforgettable: number; uncovered: number } {
  const bins = new Map<number, number>();
  let neverLearned = 0;
  for (let id = 0; id < aggregate.size; id++) {
    if (aggregate.contributors[id] === 0) continue;
    if (aggregate.firstLearned[id] === 0) {
      neverLearned++;
      continue;
    }
    const count = aggregate.forgettingEvents[id];
    bins.set(count, (bins.get(count) ?? 0) + 1);
  }
  const histogram = [...bins].sort((a, b) => a[0] - b[0]).map(([forgettingCount, examples]) => ({ forgettingCount, examples }));
  return { histogram, neverLearned, unforgettable: bins.get(0) ?? 0, uncovered: aggregate.size - aggregate.coveredExamples };
}

export const CSV_HEADER = 'id,presentations,forgetting_events,first_learned_epoch,forgetting_count,contributors';

/** One line per covered example; first_learned_epoch is the 0-based epoch, empty when never learned. */
export function aggregateCsv(aggregate: DatasetAggregate): string {
  const counts = forgettingCounts(aggregate);
  const lines = [CSV_HEADER];
  for (let id = 0; id < aggregate.size; id++) {
    if (aggregate.contributors[id] === 0) continue;
    const learned = aggregate.firstLearned[id];
    lines.push(`${id},${aggregate.presentations[id]},${aggregate.forgettingEvents[id]},${learned === 0 ? '' : learned - 1},${counts[id]},${aggregate.contributors[id]}`);
  }
  return `${lines.join('\n')}\n`;
}
