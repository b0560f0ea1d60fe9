// One self-contained HTML page per data set, on the campaign reports' stack (html-kit page shell, chart.js inlined,
// the same chart script reading chart specifications embedded as JSON): the summary, the histogram of forgetting
// counts of the learned examples, test accuracy against the removed fraction for finished jobs that trained on
// removal sets, the removal sets and every report received.
import { chartJsSource } from '../campaigns/report/chart-library.js';
import { REPORT_CHARTS_SCRIPT } from '../campaigns/report/report-charts-script.js';
import { displayNumber, embedJson, escapeHtml, escapeScript, formatPercent, renderHtmlPage } from '../campaigns/report/html-kit.js';
import type { DatasetDetailView, RemovalSetView } from './datastats-views.js';

/** What the shared chart script draws as a bar chart (one segment: examples per forgetting count). */
interface HistogramChart {
  readonly kind: 'bars';
  readonly id: string;
  readonly title: string;
  readonly xLabel: string;
  readonly yLabel: string;
  readonly unit: string;
  readonly categories: string[];
  readonly segments: {
    label: string;
    device: string;
    stack: string;
    values: number[];
    notes: Array<string | null>;
    color: number;
    shade: number;
    legend: boolean;
  }[];
}

/** What the shared chart script draws as a scatter/line chart. */
interface AccuracyChart {
  readonly kind: 'xy';
  readonly id: string;
  readonly title: string;
  readonly xLabel: string;
  readonly yLabel: string;
  readonly unit: string;
  readonly fitY: boolean;
  readonly series: { label: string; points: { x: number; y: number; note: string }[]; color: number; style: 'points' }[];
}

const STYLE = `
.note { color: #555; font-size: 0.85rem; margin: 0.3rem 0 0.6rem; max-width: 60rem; }
#charts { display: grid; grid-template-columns: repeat(auto-fill, minmax(min(100%, 34rem), 1fr)); gap: 1.2rem 1.6rem; }
figure { margin: 0; min-width: 0; }
figcaption { font-weight: 600; font-size: 0.9rem; margin-bottom: 0.3rem; }
.chart-box { position: relative; width: 100%; }
td.token { overflow-wrap: anywhere; font-family: monospace; font-size: 0.78rem; }
details { margin: 0.6rem 0; }
`;

export function renderDatastatsHtml(detail: DatasetDetailView): string {
  const { summary } = detail;
  const charts = chartsOf(detail);
  const body = `<h1>${escapeHtml(summary.name)} — fleet forgetting statistics</h1>
<div class="meta">content hash <code>${escapeHtml(summary.contentHash)}</code> · ${summary.size} examples · registered ${escapeHtml(summary.registeredAt)}<br>
${summary.contributions} report${summary.contributions === 1 ? '' : 's'} from ${summary.jobs} job${summary.jobs === 1 ? '' : 's'} on ${summary.devices} device${summary.devices === 1 ? '' : 's'} ·
${summary.coveredExamples} examples covered (${formatPercent(summary.size === 0 ? 0 : summary.coveredExamples / summary.size)}) · ${summary.epochsObserved} epochs observed</div>
<h2>Summary</h2>
<table class="summary"><tbody>
<tr><th>learned, never forgotten</th><td class="number">${detail.unforgettable}</td></tr>
<tr><th>learned, forgotten at least once</th><td class="number">${detail.histogram.reduce((sum, bin) => sum + (bin.forgettingCount > 0 ? bin.examples : 0), 0)}</td></tr>
<tr><th>never learned</th><td class="number">${detail.neverLearned}</td></tr>
<tr><th>not covered by any report</th><td class="number">${detail.uncovered}</td></tr>
</tbody></table>
${charts.length === 0 ? '<p class="note">No statistics yet.</p>' : `<h2>Charts</h2>\n<div id="charts">\n${charts.map(figure).join('\n')}\n</div>`}
<h2>Removal sets</h2>
${detail.removalSets.length === 0 ? '<p class="note">None yet.</p>' : removalSetTable(detail.removalSets, summary.size)}
<h2>Jobs trained on removal sets</h2>
${
  detail.trainedJobs.length === 0
    ? '<p class="note">None yet.</p>'
    : `<table><thead><tr><th>job</th><th>set</th><th>version</th><th>removed</th><th>test accuracy</th><th>state</th></tr></thead><tbody>
${detail.trainedJobs
  .map(
    (job) =>
      `<tr><td class="token">${escapeHtml(job.jobId)}</td><td class="token">${escapeHtml(job.removalSetId)}</td><td class="number">${job.version}</td><td class="number">${formatPercent(job.removedFraction)}</td><td class="number">${job.testAccuracy === null ? '' : formatPercent(job.testAccuracy)}</td><td>${escapeHtml(job.state)}</td></tr>`,
  )
  .join('\n')}
</tbody></table>`
}
<h2>Reports received</h2>
<details><summary>${detail.contributions.length} report${detail.contributions.length === 1 ? '' : 's'}; the selected one of each job counts</summary>
<table><thead><tr><th>job</th><th>attempt</th><th>epoch</th><th>device</th><th>epochs observed</th><th>final</th><th>examples</th><th>counts</th><th>received</th></tr></thead><tbody>
${detail.contributions
  .map(
    (c) =>
      `<tr><td class="token">${escapeHtml(c.jobId)}</td><td class="number">${c.attempt}</td><td class="number">${c.epoch}</td><td class="token">${escapeHtml(c.deviceId)}</td><td class="number">${c.epochsObserved}</td><td>${c.final ? 'yes' : ''}</td><td class="number">${c.examples}</td><td>${c.selected ? 'selected' : ''}</td><td>${escapeHtml(c.receivedAt)}</td></tr>`,
  )
  .join('\n')}
</tbody></table></details>
<script type="application/json" id="datastats-data">${embedJson(detail)}</script>
<script type="application/json" id="report-charts">${embedJson(charts)}</script>
<script>${escapeScript(chartJsSource())}</script>
<script>${REPORT_CHARTS_SCRIPT}</script>`;
  return renderHtmlPage({ title: `${summary.name} — sparsefleet data statistics`, style: STYLE, body });
}

/** The detail view as embedded in the HTML. */
export function extractEmbeddedDatastats(html: string): DatasetDetailView {
  const match = /<script type="application\/json" id="datastats-data">([\s\S]*?)<\/script>/.exec(html);
  if (!match) throw new Error('the HTML holds no data-set statistics');
  return JSON.parse(match[1]!) as DatasetDetailView;
}

/** The chart specifications as embedded in the HTML. */
export function extractEmbeddedDatastatsCharts(html: string): Array<HistogramChart | AccuracyChart> {
  const match = /<script type="application\/json" id="report-charts">([\s\S]*?)<\/script>/.exec(html);
  if (!match) throw new Error('the HTML holds no chart data');
  return JSON.parse(match[1]!) as Array<HistogramChart | AccuracyChart>;
}

function chartsOf(detail: DatasetDetailView): Array<HistogramChart | AccuracyChart> {
  const charts: Array<HistogramChart | AccuracyChart> = [];
  if (detail.histogram.length > 0) {
    charts.push({
      kind: 'bars',
      id: 'forgetting-histogram',
      title: 'Learned examples by forgetting count',
      xLabel: 'forgetting events (fleet total)',
      yLabel: 'examples',
      unit: '',
      categories: detail.histogram.map((bin) => String(bin.forgettingCount)),
      segments: [
        {
          label: 'examples',
          device: 'examples',
          stack: 'examples',
          values: detail.histogram.map((bin) => bin.examples),
          notes: detail.histogram.map((bin) => `${bin.examples} examples forgotten ${bin.forgettingCount} times`),
          color: 0,
          shade: 0,
          legend: false,
        },
      ],
    });
  }
  const finished = detail.trainedJobs.filter((job) => job.testAccuracy !== null);
  if (finished.length > 0) {
    charts.push({
      kind: 'xy',
      id: 'accuracy-vs-removed',
      title: 'Test accuracy vs removed fraction',
      xLabel: 'removed fraction of the data set (%)',
      yLabel: 'test accuracy (%)',
      unit: '%',
      fitY: true,
      series: [
        {
          label: 'jobs trained on removal sets',
          points: finished.map((job) => ({
            x: Number((job.removedFraction * 100).toFixed(4)),
            y: Number((job.testAccuracy! * 100).toFixed(4)),
            note: `job ${job.jobId.slice(0, 8)}, set v${job.version}`,
          })),
          color: 0,
          style: 'points',
        },
      ],
    });
  }
  return charts;
}

function figure(chart: HistogramChart | AccuracyChart): string {
  return `<figure data-chart="${chart.id}"><figcaption>${escapeHtml(chart.title)}</figcaption>
<div class="chart-box"><canvas id="${chart.id}" role="img" aria-label="${escapeHtml(chart.title)}"></canvas></div></figure>`;
}

function removalSetTable(sets: readonly RemovalSetView[], size: number): string {
  const rule = (set: RemovalSetView) =>
    set.rule.kind === 'fraction'
      ? `fraction ${displayNumber(set.rule.fraction)}, ≥ ${set.rule.minEpochs} presentations`
      : `forgotten ≤ ${set.rule.maxForgetting}, ≥ ${set.rule.minEpochs} presentations`;
  return `<table><thead><tr><th>version</th><th>id</th><th>rule</th><th>requested</th><th>removed</th><th>jobs</th><th>devices</th><th>created</th></tr></thead><tbody>
${sets
  .map(
    (set) =>
      `<tr><td class="number">${set.version}</td><td class="token">${escapeHtml(set.id)}</td><td>${escapeHtml(rule(set))}</td><td class="number">${set.requestedCount}</td><td class="number">${set.removedCount} (${formatPercent(size === 0 ? 0 : set.removedCount / size)})</td><td class="number">${set.provenance.jobs.length}</td><td class="number">${set.provenance.devices.length}</td><td>${escapeHtml(set.createdAt)}</td></tr>`,
  )
  .join('\n')}
</tbody></table>`;
}
