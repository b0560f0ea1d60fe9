// Terminal views of campaigns: the list, one campaign's details (per device, per cell, results) and the counts line.
import type { CampaignResult, CampaignSummary, CampaignView, JobCounts } from './campaign-api.js';
import { formatRelative } from './duration.js';
import { formatBytes, formatMetric, shortId } from './format.js';
import { formatKeyValues, formatTable } from './table.js';

/** "3/8 done (2 running, 3 queued, 1 failed)" */
export function formatCounts(counts: JobCounts): string {
  const done = counts.succeeded + counts.failed + counts.cancelled;
  const parts = (['running', 'assigned', 'queued', 'failed', 'cancelled'] as const)
    .filter((state) => counts[state] > 0)
    .map((state) => `${counts[state]} ${state}`);
  return `${done}/${counts.total} done${parts.length > 0 ? ` (${parts.join(', ')})` : ''}`;
}

export function formatCampaignTable(campaigns: readonly CampaignSummary[]): string {
  return formatTable<CampaignSummary>(
    [
      { header: 'ID', value: (c) => shortId(c.id) },
      { header: 'NAME', value: (c) => c.name, maxWidth: 24 },
      { header: 'MEASURE', value: (c) => c.measure },
      { header: 'STATE', value: (c) => c.state },
      { header: 'PLACEMENT', value: (c) => c.placement },
      { header: 'CELLS', value: (c) => String(c.cellCount), align: 'right' },
      { header: 'JOBS', value: (c) => formatCounts(c.counts), maxWidth: 60 },
      { header: 'STARTED', value: (c) => formatRelative(c.createdAt) },
    ],
    campaigns,
  );
}

export function formatCampaignDetails(view: CampaignView): string {
  const sections = [
    formatKeyValues([
      ['id', view.id],
      ['name', view.name],
      ['measure', view.measure],
      ['state', view.state],
      ['placement', view.placement],
      ['jobs', formatCounts(view.counts)],
      ['started', `${view.createdAt} (${formatRelative(view.createdAt)})`],
      ['finished', view.finishedAt ?? undefined],
    ]),
    'DEVICES',
    formatTable(
      [
        { header: 'DEVICE', value: (d: CampaignView['perDevice'][number]) => `${shortId(d.id)} ${d.displayName}`, maxWidth: 30 },
        { header: 'JOBS', value: (d) => formatCounts(d.counts), maxWidth: 60 },
        { header: 'RUNNING', value: (d) => d.runningCell ?? '-', maxWidth: 50 },
      ],
      view.perDevice,
    ),
    'CELLS',
    formatTable(
      [
        { header: 'CELL', value: (c: CampaignView['cells'][number]) => c.id },
        { header: 'PARAMETERS', value: (c) => c.label, maxWidth: 50 },
        { header: 'JOBS', value: (c) => formatCounts(c.counts), maxWidth: 60 },
        { header: 'WAITING', value: (c) => c.jobs.find((job) => job.state === 'queued')?.waitingReason ?? '-', maxWidth: 50 },
      ],
      view.cells,
    ),
  ];
  if (view.results.length > 0) sections.push('RESULTS', formatResultsTable(view));
  return sections.join('\n\n');
}

export function formatResultsTable(view: CampaignView): string {
  const labels = new Map(view.cells.map((cell) => [cell.id, cell.label]));
  const p50 = (result: CampaignResult) => result.benchmark?.latencyMs.find((entry) => entry.percentile === 50)?.value;
  return formatTable<CampaignResult>(
    [
      { header: 'CELL', value: (r) => labels.get(r.cellId) ?? r.cellId, maxWidth: 44 },
      { header: 'DEVICE', value: (r) => r.device.displayName, maxWidth: 20 },
      { header: 'BACKEND', value: (r) => r.benchmark?.backend || r.device.chosenBackend || '-' },
      { header: 'P50 MS', value: (r) => formatMetric(p50(r), 3), align: 'right' },
      { header: 'SPEEDUP', value: (r) => formatMetric(r.benchmark?.speedup, 2), align: 'right' },
      { header: 'PEAK MEM', value: (r) => formatBytes(r.benchmark?.peakMemoryBytes), align: 'right' },
      { header: 'VALID', value: (r) => (r.valid ? 'yes' : `no: ${r.reasons.join('; ')}`), maxWidth: 60 },
    ],
    view.results,
  );
}
