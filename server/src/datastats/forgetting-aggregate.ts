// The merge algebra of fleet forgetting statistics and the removal rules (issue 11), pure: no NestJS, no database,
// no Node built-ins. The coordinator's datastats module and the data-efficiency benchmark both use it.
//
// A job's statistics are cumulative, so per job only one received report counts: the *selected* one, the greatest by
// (epochsObserved, final, attempt, epoch). Choosing a maximum is commutative, associative and idempotent, and the
// aggregate over the selected reports of all jobs (sums, minimum first-learned epoch, contributor count) is then a
// function of the *set* of received reports: arrival order, resends and superseded attempts cannot change it.
import type { ExampleStatistics } from '../../../protocol/src/index.js';

/** One received ForgettingStats report, decoded. (jobId, attempt, epoch) names it. */
export interface ForgettingContribution {
  readonly jobId: string;
  readonly attempt: number;
  readonly epoch: number;
  readonly deviceId: string;
  readonly epochsObserved: number;
  readonly final: boolean;
  readonly stats: ExampleStatistics;
}

/** Which report of a job counts, and how much it saw. */
export interface SelectedJob {
  readonly jobId: string;
  readonly attempt: number;
  readonly epoch: number;
  readonly deviceId: string;
  readonly epochsObserved: number;
  readonly final: boolean;
  readonly coveredExamples: number;
}

/** The merged statistics of one data set, one entry per example id 0 .. size - 1. */
export interface DatasetAggregate {
  readonly size: number;
  /** Σ over selected reports of the times the example was presented. */
  readonly presentations: Uint32Array;
  /** Σ over selected reports of its forgetting events. */
  readonly forgettingEvents: Uint32Array;
  /** Earliest first-learned value (1 + epoch) over selected reports that learned it; 0 when none did. */
  readonly firstLearned: Uint32Array;
  /** How many jobs' selected reports cover the example. */
  readonly contributors: Uint32Array;
  /** The selected report of each job, by ascending job id. */
  readonly jobs: readonly SelectedJob[];
  /** Devices that sent a selected report, ascending. */
  readonly devices: readonly string[];
  /** Distinct reports received, (jobId, attempt, epoch) counted once however often it was sent. */
  readonly contributions: number;
  /** Σ epochsObserved over the selected reports. */
  readonly epochsObserved: number;
  /** Examples covered by at least one selected report. */
  readonly coveredExamples: number;
}

export type RemovalRule =
  | { readonly kind: 'fraction'; readonly fraction: number; readonly minEpochs: number }
  | { readonly kind: 'threshold'; readonly maxForgetting: number; readonly minEpochs: number };

export interface RemovalSelection {
  /** Removed example ids, strictly ascending. */
  readonly ids: Uint32Array;
  /** What the rule asked for: round(fraction × size) for a fraction rule, the matching examples for a threshold. */
  readonly requestedCount: number;
}

/** Per job, the report with the greatest (epochsObserved, final, attempt, epoch); by ascending job id. */
export function selectContributions<C extends ForgettingContribution>(contributions: Iterable<C>): C[] {
  const byJob = new Map<string, C>();
  for (const contribution of contributions) {
    const held = byJob.get(contribution.jobId);
    if (held === undefined || compareReports(contribution, held) > 0) byJob.set(contribution.jobId, contribution);
  }
  return [...byJob.values()].sort((a, b) => compareStrings(a.jobId, b.jobId));
}

/** The aggregate of every received report of one data set of `size` examples (duplicates and superseded included). */
export function aggregateStatistics(size: number, contributions: Iterable<ForgettingContribution>): DatasetAggregate {
  if (!Number.isInteger(size) || size < 0) throw new RangeError(`data-set size ${size} is not a count`);
  const received = [...contributions];
  const presentations = new Uint32Array(size);
  const forgettingEvents = new Uint32Array(size);
  const firstLearned = new Uint32Array(size);
  const contributors = new Uint32Array(size);
  const selected = selectContributions(received);
  const devices = new Set<string>();
  let epochsObserved = 0;
  for (const contribution of selected) {
    const { ids } = contribution.stats;
    const stats = contribution.stats;
    for (let i = 0; i < ids.length; i++) {
      const id = ids[i];
      if (id >= size) throw new RangeError(`job ${contribution.jobId} reports example ${id} of a data set of ${size}`);
      presentations[id] += stats.presentations[i];
      forgettingEvents[id] += stats.forgettingEvents[i];
      contributors[id] += 1;
      const learned = stats.firstLearned[i];
      if (learned !== 0 && (firstLearned[id] === 0 || learned < firstLearned[id])) firstLearned[id] = learned;
    }
    devices.add(contribution.deviceId);
    epochsObserved += contribution.epochsObserved;
  }
  let coveredExamples = 0;
  for (let id = 0; id < size; id++) if (contributors[id] > 0) coveredExamples++;
  return {
    size,
    presentations,
    forgettingEvents,
    firstLearned,
    contributors,
    jobs: selected.map((contribution) => ({
      jobId: contribution.jobId,
      attempt: contribution.attempt,
      epoch: contribution.epoch,
      deviceId: contribution.deviceId,
      epochsObserved: contribution.epochsObserved,
      final: contribution.final,
      coveredExamples: contribution.stats.ids.length,
    })),
    devices: [...devices].sort(compareStrings),
    contributions: new Set(received.map((contribution) => reportKey(contribution))).size,
    epochsObserved,
    coveredExamples,
  };
}

/**
 * The forgetting count used for ranking, per example: its forgetting events when it was learned, otherwise its
 * presentations (an example never learned is as forgettable as it was shown, MEST's rule). Uncovered examples: 0.
 */
export function forgettingCounts(aggregate: DatasetAggregate): Uint32Array {
  const counts = new Uint32Array(aggregate.size);
  for (let id = 0; id < aggregate.size; id++) {
    counts[id] = aggregate.firstLearned[id] > 0 ? aggregate.forgettingEvents[id] : aggregate.presentations[id];
  }
  return counts;
}

/** Why `rule` is not a valid removal rule, or undefined when it is. */
export function removalRuleProblem(rule: RemovalRule): string | undefined {
  if (!Number.isInteger(rule.minEpochs) || rule.minEpochs < 1) return `minEpochs must be an integer >= 1 (got ${rule.minEpochs})`;
  if (rule.kind === 'fraction') {
    if (!(rule.fraction > 0 && rule.fraction < 1)) return `fraction must lie strictly between 0 and 1 (got ${rule.fraction})`;
    return undefined;
  }
  if (rule.kind === 'threshold') {
    if (!Number.isInteger(rule.maxForgetting) || rule.maxForgetting < 0) {
      return `maxForgetting must be an integer >= 0 (got ${rule.maxForgetting})`;
    }
    return undefined;
  }
  return `unknown rule kind ${String((rule as { kind: unknown }).kind)}`;
}

/**
 * The examples `rule` removes from `aggregate`. Eligible: aggregate presentations >= minEpochs.
 * fraction r: the first round(r × size) eligible ids in (forgetting count, id) ascending order, fewer when fewer are
 * eligible. threshold k: every eligible example that was learned and whose forgetting count is <= k.
 */
export function removalIds(aggregate: DatasetAggregate, rule: RemovalRule): RemovalSelection {
  const problem = removalRuleProblem(rule);
  if (problem !== undefined) throw new RangeError(problem);
  const counts = forgettingCounts(aggregate);
  const eligible: number[] = [];
  for (let id = 0; id < aggregate.size; id++) if (aggregate.presentations[id] >= rule.minEpochs) eligible.push(id);
  if (rule.kind === 'threshold') {
    const ids = eligible.filter((id) => aggregate.firstLearned[id] > 0 && counts[id] <= rule.maxForgetting);
    return { ids: Uint32Array.from(ids), requestedCount: ids.length };
  }
  const requestedCount = Math.round(rule.fraction * aggregate.size);
  // `eligible` is already in id order; a stable sort by count keeps ties by ascending id.
  const ranked = eligible.sort((a, b) => counts[a] - counts[b] || a - b);
  const ids = Uint32Array.from(ranked.slice(0, requestedCount)).sort();
  return { ids, requestedCount };
}

function compareReports(a: ForgettingContribution, b: ForgettingContribution): number {
  return (
    a.epochsObserved - b.epochsObserved ||
    Number(a.final) - Number(b.final) ||
    a.attempt - b.attempt ||
    a.epoch - b.epoch ||
    // The same (job, attempt, epoch) is one report (storage refuses other content under its key); the device id only
    // keeps the choice independent of order should two ever disagree.
    compareStrings(a.deviceId, b.deviceId)
  );
}

function reportKey(contribution: ForgettingContribution): string {
  return `${contribution.jobId}\u0000${contribution.attempt}\u0000${contribution.epoch}`;
}

function compareStrings(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}
