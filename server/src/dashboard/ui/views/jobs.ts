// Jobs with live progress: every job's state, and for the jobs on a device their latest step, loss, accuracy and
// step time; the selected job's loss and accuracy chart. The REST API has no push channel (the device channel is
// for devices), so the page polls it like `sparsefleet jobs watch` does.
import type { JobDto, JobProgressDto } from '../../../api/dto/index.js';
import { el, replaceChildren, table, type Column } from '../dom.js';
import { formatBytes, formatNumber, formatPercent, formatRelative, shortId } from '../format.js';
import { ProgressChart } from '../progress-chart.js';
import type { View, ViewContext } from '../view.js';

const ACTIVE_STATES: ReadonlySet<string> = new Set(['assigned', 'running']);

interface JobRow {
  readonly job: JobDto;
  readonly latest: JobProgressDto | undefined;
}

export function jobsView(context: ViewContext): View {
  const list = el('div');
  const detail = el('div', { className: 'detail' });
  const element = el('section', { attrs: { 'data-page': 'jobs' } }, el('h2', {}, 'Jobs'), list, detail);
  let selectedId: string | undefined;
  let chart: { jobId: string; chart: ProgressChart; facts: HTMLElement } | undefined;

  const columns: Column<JobRow>[] = [
    {
      header: 'Job',
      cell: ({ job }) => el('a', { attrs: { href: '#jobs', title: job.id }, on: { click: (event) => select(event, job.id) } }, job.name || shortId(job.id)),
    },
    { header: 'State', cell: ({ job }) => el('span', { className: `state state-${job.state}` }, job.state) },
    { header: 'Model / method', cell: ({ job }) => `${job.spec.model} · ${job.spec.method} @ ${formatNumber(job.spec.density, 2)}` },
    { header: 'Device', cell: ({ job }) => (job.deviceId ? shortId(job.deviceId) : '—') },
    { header: 'Progress', cell: ({ latest }) => progressBar(latest) },
    { header: 'Loss', cell: ({ latest }) => (latest ? formatNumber(latest.loss) : '—'), numeric: true },
    { header: 'Accuracy', cell: ({ latest }) => (latest ? formatPercent(latest.trainAccuracy) : '—'), numeric: true },
    { header: 'Step p50', cell: ({ latest }) => (latest ? `${formatNumber(latest.stepMsP50)} ms` : '—'), numeric: true },
    { header: 'Updated', cell: ({ job }) => formatRelative(job.updatedAt) },
  ];

  function select(event: Event, jobId: string): void {
    event.preventDefault();
    selectedId = jobId;
    void refreshSelected().catch(context.fail);
  }

  async function refreshSelected(): Promise<void> {
    if (selectedId === undefined) return;
    const jobId = selectedId;
    const reports = await context.api.jobProgress(jobId);
    if (chart?.jobId !== jobId) {
      chart?.chart.destroy();
      const canvas = el('canvas', { attrs: { 'aria-label': 'loss and accuracy against the step' } });
      const facts = el('p', { className: 'summary' });
      replaceChildren(detail, el('h3', {}, `Job ${shortId(jobId)}`), facts, el('div', { className: 'chart-box' }, canvas));
      chart = { jobId, chart: new ProgressChart(canvas), facts };
    }
    chart.chart.show(reports);
    const latest = latestReport(reports);
    replaceChildren(
      chart.facts,
      latest === undefined
        ? 'No progress reported yet.'
        : `step ${latest.step} of ${latest.totalSteps} · epoch ${latest.epoch} · ${latest.phase} · loss ${formatNumber(latest.loss)} · ` +
            `test accuracy ${formatPercent(latest.testAccuracy)} · step ${formatNumber(latest.stepMsP50)} ms p50 · ` +
            `peak memory ${formatBytes(latest.peakMemoryBytes)} · density ${formatNumber(latest.density, 3)}`,
    );
  }

  return {
    element,
    select(id) {
      selectedId = id;
    },
    async refresh() {
      const jobs = (await context.api.listJobs()).reverse();
      const active = jobs.filter((job) => ACTIVE_STATES.has(job.state));
      const progress = await Promise.all(active.map(async (job) => [job.id, latestReport(await context.api.jobProgress(job.id))] as const));
      const latestById = new Map(progress);
      const counts = new Map<string, number>();
      for (const job of jobs) counts.set(job.state, (counts.get(job.state) ?? 0) + 1);
      replaceChildren(
        list,
        el('p', { className: 'summary' }, jobs.length === 0 ? 'No jobs.' : [...counts].map(([state, count]) => `${count} ${state}`).join(' · ')),
        table(columns, jobs.map((job) => ({ job, latest: latestById.get(job.id) })), (row) => row.job.id, 'No jobs yet: submit one with `sparsefleet jobs submit`.'),
      );
      await refreshSelected();
    },
  };
}

function latestReport(reports: readonly JobProgressDto[]): JobProgressDto | undefined {
  let latest: JobProgressDto | undefined;
  for (const report of reports) {
    if (!latest || report.attempt > latest.attempt || (report.attempt === latest.attempt && report.sequence > latest.sequence)) latest = report;
  }
  return latest;
}

function progressBar(latest: JobProgressDto | undefined): HTMLElement | string {
  if (!latest || latest.totalSteps <= 0) return '—';
  const fraction = Math.min(1, latest.step / latest.totalSteps);
  return el(
    'span',
    { className: 'progress' },
    el('progress', { attrs: { max: String(latest.totalSteps), value: String(latest.step) } }),
    ` ${Math.round(fraction * 100)}%`,
  );
}
