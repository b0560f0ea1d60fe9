// Terminal views of data statistics and removal sets: tables for the lists, key/value blocks plus the forgetting
// histogram for `datastats show`, and the rule and provenance of a removal set.
import type { DatasetDetail, DatasetSummary, RemovalRule, RemovalSetView } from './datastats-api.js';
import { renderForgettingHistogram } from './forgetting-histogram.js';
import { formatMetric, formatPercent, orDash, shortId } from './format.js';
import { formatKeyValues, formatTable } from './table.js';

export function formatDatasetTable(datasets: readonly DatasetSummary[]): string {
  return formatTable<DatasetSummary>(
    [
      { header: 'NAME', value: (d) => d.name },
      { header: 'HASH', value: (d) => shortHash(d.contentHash) },
      { header: 'SIZE', value: (d) => String(d.size), align: 'right' },
      { header: 'COVERED', value: (d) => String(d.coveredExamples), align: 'right' },
      { header: 'JOBS', value: (d) => String(d.jobs), align: 'right' },
      { header: 'DEVICES', value: (d) => String(d.devices), align: 'right' },
      { header: 'EPOCHS', value: (d) => String(d.epochsObserved), align: 'right' },
      { header: 'LATEST SET', value: (d) => (d.latestRemovalSet ? `v${d.latestRemovalSet.version} ${shortId(d.latestRemovalSet.id)}` : '-') },
    ],
    datasets,
  );
}

export function formatDatasetDetails(detail: DatasetDetail, width: number): string {
  const { summary } = detail;
  const covered = summary.coveredExamples;
  const selected = detail.contributions.filter((c) => c.selected);
  const block = formatKeyValues([
    ['data set', `${summary.name} (${summary.size} examples)`],
    ['content hash', summary.contentHash],
    ['registered', summary.registeredAt],
    ['covered', `${covered} of ${summary.size} (${formatPercent(summary.size > 0 ? covered / summary.size : undefined)})`],
    ['epochs observed', String(summary.epochsObserved)],
    ['contributions', `${detail.contributions.length} received, ${selected.length} selected (one per job), from ${summary.devices} device(s)`],
    ['unforgettable', `${detail.unforgettable} (learned, never forgotten)`],
    ['never learned', String(detail.neverLearned)],
  ]);
  const sections = [block, '', renderForgettingHistogram({ ...detail, size: summary.size }, { width })];
  if (detail.removalSets.length > 0) sections.push('', 'removal sets:', formatRemovalSetTable(detail.removalSets));
  if (detail.trainedJobs.length > 0) {
    sections.push(
      '',
      'jobs trained on removal sets:',
      formatTable(
        [
          { header: 'JOB', value: (j: DatasetDetail['trainedJobs'][number]) => shortId(j.jobId) },
          { header: 'SET', value: (j) => `v${j.version} ${shortId(j.removalSetId)}` },
          { header: 'REMOVED', value: (j) => formatPercent(j.removedFraction), align: 'right' },
          { header: 'TEST ACC', value: (j) => formatMetric(j.testAccuracy), align: 'right' },
          { header: 'STATE', value: (j) => j.state },
        ],
        detail.trainedJobs,
      ),
    );
  }
  return sections.join('\n');
}

export function formatRemovalSetTable(sets: readonly RemovalSetView[]): string {
  return formatTable<RemovalSetView>(
    [
      { header: 'ID', value: (s) => s.id, maxWidth: 36 },
      { header: 'DATA SET', value: (s) => `${s.dataset.name} ${shortHash(s.dataset.contentHash)}` },
      { header: 'VERSION', value: (s) => `v${s.version}`, align: 'right' },
      { header: 'RULE', value: (s) => describeRule(s.rule) },
      { header: 'REMOVED', value: (s) => `${s.removedCount} (${formatPercent(s.dataset.size > 0 ? s.removedCount / s.dataset.size : undefined)})`, align: 'right' },
      { header: 'CREATED', value: (s) => s.createdAt },
    ],
    sets,
  );
}

export function formatRemovalSetDetails(set: RemovalSetView): string {
  const { provenance } = set;
  const shortfall = set.removedCount < set.requestedCount ? ` (asked for ${set.requestedCount}; fewer examples were eligible)` : '';
  return formatKeyValues([
    ['removal set', set.id],
    ['version', `v${set.version}`],
    ['data set', `${set.dataset.name} (${set.dataset.size} examples, hash ${set.dataset.contentHash})`],
    ['rule', describeRule(set.rule)],
    ['removed', `${set.removedCount} examples (${formatPercent(set.dataset.size > 0 ? set.removedCount / set.dataset.size : undefined)})${shortfall}`],
    ['created', set.createdAt],
    ['built from', `${provenance.contributions} contribution(s) of ${provenance.jobs.length} job(s) on ${provenance.devices.length} device(s), ${provenance.epochsObserved} epochs observed`],
    ['jobs', provenance.jobs.length === 0 ? '-' : provenance.jobs.map((j) => `${shortId(j.jobId)} (attempt ${j.attempt}, ${j.epochsObserved} epochs)`).join(', ')],
    ['devices', provenance.devices.length === 0 ? '-' : provenance.devices.map((d) => orDash(shortId(d))).join(', ')],
  ]);
}

/** "drop the 20.0% least forgotten, after >= 2 epochs" / "drop learned examples forgotten <= 1 times, after >= 1 epoch". */
export function describeRule(rule: RemovalRule): string {
  const after = `after >= ${rule.minEpochs} epoch${rule.minEpochs === 1 ? '' : 's'}`;
  if (rule.kind === 'fraction') return `drop the ${formatPercent(rule.fraction)} least forgotten, ${after}`;
  return `drop learned examples forgotten <= ${rule.maxForgetting} times, ${after}`;
}

function shortHash(hash: string): string {
  return hash.length > 12 ? hash.slice(0, 12) : hash;
}
