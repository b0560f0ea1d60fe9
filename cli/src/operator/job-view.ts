// Jobs as text: the job table and the details of one job with its latest progress and result.
import type { Job, JobProgress, JobResult, JobSpecSummary, MaskStats } from './api-types.js';
import { formatRelative, formatSpan } from './duration.js';
import { formatBytes, formatMetric, orDash, shortId } from './format.js';
import { formatLabels } from './labels.js';
import { formatKeyValues, formatTable, type Column } from './table.js';

/** `cnn rigl/irregular d=0.10 x3ep`, the training run in a few characters. */
export function describeSpec(spec: JobSpecSummary | undefined): string {
  if (!spec?.model) return '-';
  const parts = [spec.model, [spec.method, spec.scheme].filter(Boolean).join('/')];
  if (spec.density !== undefined) parts.push(`d=${spec.density.toFixed(2)}`);
  if (spec.epochs !== undefined) parts.push(`${spec.epochs}ep`);
  return parts.filter((part) => part !== '').join(' ');
}

export function formatJobTable(jobs: readonly Job[], now: Date = new Date()): string {
  const columns: Column<Job>[] = [
    { header: 'ID', value: (job) => shortId(job.id) },
    { header: 'NAME', value: (job) => job.name, maxWidth: 24 },
    { header: 'STATE', value: (job) => job.state },
    { header: 'TRY', value: (job) => (job.maxAttempts ? `${job.attempt}/${job.maxAttempts}` : String(job.attempt)), align: 'right' },
    { header: 'TRAINING', value: (job) => describeSpec(job.spec), maxWidth: 36 },
    { header: 'DEVICE', value: (job) => shortId(job.deviceId) },
    { header: 'CREATED', value: (job) => formatRelative(job.createdAt, now) },
    { header: 'REASON', value: (job) => orDash(reasonOf(job)), maxWidth: 60 },
  ];
  return formatTable(columns, jobs);
}

/** Why a queued job waits or why a failed job failed (the coordinator keeps both in `waitingReason`). */
function reasonOf(job: Job): string | null {
  return job.state === 'queued' || job.state === 'failed' ? job.waitingReason : null;
}

export function formatJobDetails(
  job: Job,
  latest: JobProgress | undefined,
  result: JobResult | undefined,
  now: Date = new Date(),
  masks?: MaskStats,
): string {
  const ran = job.finishedAt ? formatSpan(Date.parse(job.finishedAt) - Date.parse(job.createdAt)) : undefined;
  const sections = [
    formatKeyValues([
      ['id', job.id],
      ['name', job.name],
      ['state', job.state],
      ['attempt', job.maxAttempts ? `${job.attempt} of ${job.maxAttempts}` : String(job.attempt)],
      ['device', orDash(job.deviceId)],
      ['waiting for', job.state === 'queued' ? orDash(job.waitingReason) : undefined],
      ['failed because', job.state === 'failed' ? orDash(job.waitingReason) : undefined],
      ['lease expires', job.leaseExpiresAt ? formatRelative(job.leaseExpiresAt, now) : undefined],
      ['training', describeSpec(job.spec)],
      ['data', job.spec?.dataset?.name],
      ['needs', job.requirements ? formatRequirements(job.requirements) : undefined],
      ['memory estimate', job.memoryEstimate ? formatBytes(job.memoryEstimate.totalBytes) : undefined],
      ['created', `${job.createdAt} (${formatRelative(job.createdAt, now)})`],
      ['updated', `${job.updatedAt} (${formatRelative(job.updatedAt, now)})`],
      ['finished', job.finishedAt ? `${job.finishedAt} (after ${ran})` : undefined],
    ]),
  ];
  if (latest) sections.push(`latest progress\n${indent(formatProgress(latest))}`);
  if (result) sections.push(`result\n${indent(formatResult(result))}`);
  if (masks && (masks.updates.length > 0 || masks.diverged.length > 0)) sections.push(`masks\n${indent(formatMaskStats(masks))}`);
  return sections.join('\n\n');
}

/** Rows of the mask-update table `jobs show` prints (the latest ones; --json has them all). */
export const MASK_ROWS_SHOWN = 12;

/** Mask updates of a job: churn (fraction of active weights that changed) and ITOP rate (fraction ever active). */
export function formatMaskStats(stats: MaskStats): string {
  const updates = stats.updates;
  const last = updates.at(-1);
  const summary = formatKeyValues([
    ['updates', `${updates.length}${stats.diverged.length > 0 ? ` (+${stats.diverged.length} not rebuilt, full masks asked for)` : ''}`],
    ['density', last ? formatMetric(last.density) : undefined],
    ['ITOP rate', last?.itopRate == null ? undefined : formatMetric(last.itopRate)],
    ['stored', formatBytes(stats.storedBytes)],
  ]);
  const shown = updates.slice(-MASK_ROWS_SHOWN);
  type Row = MaskStats['updates'][number];
  const columns: Column<Row>[] = [
    { header: 'UPDATE', value: (u) => (u.attempt > 1 ? `${u.updateIndex} (try ${u.attempt})` : String(u.updateIndex)), align: 'right' },
    { header: 'STEP', value: (u) => String(u.step), align: 'right' },
    { header: 'DENSITY', value: (u) => formatMetric(u.density), align: 'right' },
    { header: 'CHURN', value: (u) => (u.churn === null ? '-' : formatMetric(u.churn)), align: 'right' },
    { header: 'ITOP', value: (u) => (u.itopRate === null ? '-' : formatMetric(u.itopRate)), align: 'right' },
  ];
  const more = updates.length > shown.length ? `\n(${updates.length - shown.length} earlier updates not shown)` : '';
  return updates.length === 0 ? summary : `${summary}\n${formatTable(columns, shown)}${more}`;
}

export function formatProgress(progress: JobProgress): string {
  return formatKeyValues([
    ['attempt', String(progress.attempt)],
    ['phase', progress.phase || undefined],
    ['epoch', String(progress.epoch + 1)],
    ['step', `${progress.step}/${progress.totalSteps}`],
    ['loss', formatMetric(progress.loss)],
    ['train accuracy', formatMetric(progress.trainAccuracy)],
    ['test accuracy', formatMetric(progress.testAccuracy)],
    ['density', formatMetric(progress.density)],
    ['elapsed', progress.elapsedMs === undefined ? undefined : formatSpan(progress.elapsedMs)],
    ['received', progress.receivedAt],
  ]);
}

export function formatResult(result: JobResult): string {
  return formatKeyValues([
    ['outcome', outcomeName(result.outcome)],
    ['error', result.error || undefined],
    ['test accuracy', formatMetric(result.testAccuracy)],
    ['test loss', formatMetric(result.testLoss)],
    ['final density', formatMetric(result.finalDensity)],
    ['epochs / steps', result.epochs === undefined ? undefined : `${result.epochs} / ${orDash(result.steps)}`],
    ['wall time', result.wallMs === undefined ? undefined : formatSpan(result.wallMs)],
    ['backend', result.backend || undefined],
    ['data', result.dataSource ? `${result.dataSource}${result.syntheticData ? ' (synthetic)' : ''}` : undefined],
  ]);
}

function formatRequirements(requirements: NonNullable<Job['requirements']>): string {
  const parts: string[] = [];
  if (requirements.labels && Object.keys(requirements.labels).length > 0) parts.push(`labels ${formatLabels(requirements.labels)}`);
  if (requirements.backend) parts.push(`backend ${requirements.backend}`);
  if (requirements.memoryBytes) parts.push(`${formatBytes(requirements.memoryBytes)} free`);
  return parts.length === 0 ? 'any device' : parts.join(', ');
}

const OUTCOMES: Record<string, string> = { '1': 'succeeded', '2': 'failed', '3': 'cancelled' };

function outcomeName(outcome: number | string): string {
  const key = String(outcome);
  return OUTCOMES[key] ?? key.replace(/^JOB_OUTCOME_/, '').toLowerCase();
}

function indent(text: string): string {
  return text
    .split('\n')
    .map((line) => `  ${line}`)
    .join('\n');
}
