// One self-contained HTML file per report: chart.js and the report data are inlined (no network needed), the
// charts are drawn from the embedded data and the table lists every column. Each table cell carries the exact
// stored value in `data-value`; the visible text rounds long fractions for reading.
import { chartJsSource } from './chart-library.js';
import { REPORT_CHARTS_SCRIPT } from './report-charts-script.js';
import { csvText } from './report-csv.js';
import type { CampaignReport, ReportValue } from './report-data.js';
import { displayNumber, embedJson, escapeHtml, escapeScript } from './html-kit.js';

export function renderReportHtml(report: CampaignReport): string {
  const { campaign } = report;
  const valid = report.rows.filter((row) => row.values.valid === true).length;
  const header = report.columns.map((column) => `<th>${escapeHtml(column)}</th>`).join('');
  const body = report.rows
    .map((row) => {
      const cells = report.columns.map((column) => tableCell(row.values[column] ?? null)).join('');
      return `<tr class="${row.values.valid === true ? 'valid' : 'invalid'}">${cells}</tr>`;
    })
    .join('\n');
  const rules = campaign.spec.runRules;
  return `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<title>${escapeHtml(campaign.name)} — sparsefleet campaign report</title>
<style>
body { font-family: system-ui, sans-serif; margin: 1.5rem; color: #222; }
h1 { font-size: 1.4rem; margin-bottom: 0.2rem; }
.meta { color: #555; margin-bottom: 1rem; }
#charts { display: grid; grid-template-columns: repeat(auto-fill, minmax(28rem, 1fr)); gap: 1.5rem; }
figure { margin: 0; } figcaption { font-weight: 600; margin-bottom: 0.4rem; }
.table-wrap { overflow-x: auto; margin-top: 2rem; }
table { border-collapse: collapse; font-size: 0.8rem; white-space: nowrap; }
th, td { border: 1px solid #ddd; padding: 0.2rem 0.4rem; text-align: left; }
td.number { text-align: right; font-variant-numeric: tabular-nums; }
tr.invalid { background: #fff3f3; }
</style>
</head>
<body>
<h1>${escapeHtml(campaign.name)}</h1>
<div class="meta">campaign ${escapeHtml(campaign.id)} · measure ${escapeHtml(campaign.measure)} · state ${escapeHtml(campaign.state)} ·
started ${escapeHtml(campaign.createdAt)}${campaign.finishedAt ? ` · finished ${escapeHtml(campaign.finishedAt)}` : ''}<br>
run rules: warm-up ${rules.warmupIterations}, ≥ ${rules.minIterations} iterations and ≥ ${rules.minDurationMs} ms, percentiles
${rules.percentiles.join('/')}, cool-down ${rules.cooldownMs} ms${rules.sustained ? `, sustained ${rules.sustained.durationMs} ms in ${rules.sustained.windowMs} ms windows` : ''} ·
${report.rows.length} results, ${valid} valid</div>
<div id="charts"></div>
<div class="table-wrap"><table id="results">
<thead><tr>${header}</tr></thead>
<tbody>
${body}
</tbody>
</table></div>
<script type="application/json" id="report-data">${embedJson(report)}</script>
<script>${escapeScript(chartJsSource())}</script>
<script>${REPORT_CHARTS_SCRIPT}</script>
</body>
</html>
`;
}

/** The report data as embedded in the HTML (the inverse of `embedJson`). */
export function extractEmbeddedReport(html: string): CampaignReport {
  const match = /<script type="application\/json" id="report-data">([\s\S]*?)<\/script>/.exec(html);
  if (!match) throw new Error('the HTML holds no report data');
  return JSON.parse(match[1]!) as CampaignReport;
}

function tableCell(value: ReportValue): string {
  const exact = csvText(value);
  const isNumber = typeof value === 'number';
  return `<td${isNumber ? ' class="number"' : ''} data-value="${escapeHtml(exact)}">${escapeHtml(isNumber ? displayNumber(value) : exact)}</td>`;
}
