// What the accuracy benchmark prints and writes: the console table, the JSON records and a self-contained HTML page
// (table plus two chart.js scatter plots, accuracy against training FLOPs and against density; chart.js inlined).
import { chartJsSource } from '../../server/src/campaigns/report/chart-library.js';
import { embedJson, escapeHtml, escapeScript, renderHtmlPage } from '../../server/src/campaigns/report/html-kit.js';
import type { RowRecord } from './accuracy-ipc.js';

/** A finished row with its comparison to the dense row of the same model and length. */
export interface ReportRow extends RowRecord {
  /** testAccuracy − the dense row's (NaN while that row has not run). */
  readonly gapToDense: number;
  /** trainingFlops / the dense row's. */
  readonly flopsToDense: number;
}

export function compareToDense(records: readonly RowRecord[]): ReportRow[] {
  const dense = new Map(records.filter((r) => r.method === 'dense').map((r) => [r.model, r]));
  return records.map((record) => {
    const reference = dense.get(record.model);
    return {
      ...record,
      gapToDense: record.testAccuracy - (reference?.testAccuracy ?? Number.NaN),
      flopsToDense: record.trainingFlops / (reference?.trainingFlops ?? Number.NaN),
    };
  });
}

const percent = (fraction: number) => `${(fraction * 100).toFixed(2)} %`;
const points = (fraction: number) => (Number.isNaN(fraction) ? '?' : `${fraction >= 0 ? '+' : '−'}${Math.abs(fraction * 100).toFixed(2)} pp`);

const COLUMNS: readonly { readonly title: string; readonly cell: (row: ReportRow) => string }[] = [
  { title: 'model', cell: (row) => row.model },
  { title: 'method', cell: (row) => row.method },
  { title: 'scheme', cell: (row) => row.scheme },
  { title: 'density', cell: (row) => row.density.toFixed(2) },
  { title: 'epochs', cell: (row) => (row.multiplier === 1 ? String(row.epochs) : `${row.epochs} (${row.multiplier}×)`) },
  { title: 'final density', cell: (row) => row.finalDensity.toFixed(3) },
  { title: 'test acc', cell: (row) => percent(row.testAccuracy) },
  { title: 'gap to dense', cell: (row) => (row.method === 'dense' ? '–' : points(row.gapToDense)) },
  { title: 'train FLOPs', cell: (row) => row.trainingFlops.toExponential(2) },
  { title: 'FLOPs / dense', cell: (row) => (Number.isNaN(row.flopsToDense) ? '?' : row.flopsToDense.toFixed(3)) },
  { title: 'wall', cell: (row) => `${(row.wallMs / 1000).toFixed(0)} s` },
];

export function formatTable(rows: readonly ReportRow[]): string {
  const lines = rows.map((row) => COLUMNS.map((column) => column.cell(row)));
  const widths = COLUMNS.map((column, i) => Math.max(column.title.length, ...lines.map((line) => line[i].length)));
  const render = (cells: readonly string[]) => cells.map((cell, i) => cell.padEnd(widths[i])).join('  ').trimEnd();
  return [render(COLUMNS.map((c) => c.title)), render(widths.map((w) => '-'.repeat(w))), ...lines.map(render)].join('\n');
}

/** The same table as markdown, for bench/README.md. */
export function formatMarkdown(rows: readonly ReportRow[]): string {
  const line = (cells: readonly string[]) => `| ${cells.join(' | ')} |`;
  return [line(COLUMNS.map((c) => c.title)), line(COLUMNS.map(() => '---')), ...rows.map((row) => line(COLUMNS.map((c) => c.cell(row))))].join('\n');
}

interface ChartPoint {
  readonly x: number;
  readonly y: number;
  readonly label: string;
}

/** One scatter series per model and method. */
function series(rows: readonly ReportRow[], x: (row: ReportRow) => number): { label: string; data: ChartPoint[] }[] {
  const groups = new Map<string, ChartPoint[]>();
  for (const row of rows) {
    const name = `${row.model} ${row.method}`;
    const label = `${row.scheme}, d=${row.density}, ${row.epochs} ep: ${percent(row.testAccuracy)}`;
    groups.set(name, [...(groups.get(name) ?? []), { x: x(row), y: row.testAccuracy * 100, label }]);
  }
  return [...groups].map(([label, data]) => ({ label, data }));
}

const CHART_SCRIPT = `
for (const spec of JSON.parse(document.getElementById('chart-data').textContent)) {
  new Chart(document.getElementById(spec.canvas), {
    type: 'scatter',
    data: { datasets: spec.datasets },
    options: {
      scales: {
        x: { type: spec.logX ? 'logarithmic' : 'linear', title: { display: true, text: spec.xTitle } },
        y: { title: { display: true, text: 'test accuracy (%)' } },
      },
      plugins: { tooltip: { callbacks: { label: (item) => item.dataset.label + ' (' + item.raw.label + ')' } } },
    },
  });
}
`;

export function renderHtml(rows: readonly ReportRow[], title: string, meta: string): string {
  const header = COLUMNS.map((c) => `<th>${escapeHtml(c.title)}</th>`).join('');
  const body = rows.map((row) => `<tr>${COLUMNS.map((c) => `<td>${escapeHtml(c.cell(row))}</td>`).join('')}</tr>`).join('\n');
  const charts = [
    { canvas: 'by-flops', xTitle: 'training FLOPs', logX: true, datasets: series(rows, (row) => row.trainingFlops) },
    { canvas: 'by-density', xTitle: 'final density', logX: true, datasets: series(rows, (row) => row.finalDensity) },
  ];
  return renderHtmlPage({
    title,
    style: '.chart { max-width: 1000px; margin: 1rem 0; }',
    body: `<h1>${escapeHtml(title)}</h1>
<div class="meta">${escapeHtml(meta)}</div>
<h2>Accuracy against training FLOPs</h2><div class="chart"><canvas id="by-flops"></canvas></div>
<h2>Accuracy against density</h2><div class="chart"><canvas id="by-density"></canvas></div>
<h2>Rows</h2>
<table><thead><tr>${header}</tr></thead><tbody>
${body}
</tbody></table>
<script type="application/json" id="chart-data">${embedJson(charts)}</script>
<script>${escapeScript(chartJsSource())}</script>
<script>${escapeScript(CHART_SCRIPT)}</script>`,
  });
}
