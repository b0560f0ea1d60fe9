// One self-contained HTML file per report, answering the question first: a summary table (one row per cell: median
// speedup across devices and its spread next to the 1/density limit, best and worst device, memory saved,
// accuracy), then the charts (speedup vs density with the limit, latency per device, memory, accuracy and time to
// accuracy), then the full rows per device, collapsed. chart.js, the report data and the chart data are inlined
// (no network needed); no column that every row leaves empty is shown, and the page fits 1280 px without
// scrolling sideways.
import { chartJsSource } from './chart-library.js';
import { buildReportCharts, CHART_SECTIONS, type ReportChart } from './report-charts.js';
import { REPORT_CHARTS_SCRIPT } from './report-charts-script.js';
import { reportCells } from './report-cells.js';
import type { CampaignReport } from './report-data.js';
import { renderDeviceDetails } from './report-details.js';
import { renderSummaryTable } from './report-summary.js';
import { embedJson, escapeHtml, escapeScript, renderHtmlPage } from './html-kit.js';

const REPORT_STYLE = `
th { vertical-align: bottom; }
td.token, dd.token { overflow-wrap: anywhere; }
table.summary tr.workload th { background: #f3f5f8; font-size: 0.85rem; padding-top: 0.35rem; }
.note { color: #555; font-size: 0.85rem; margin: 0.3rem 0 0.6rem; max-width: 60rem; }
table.summary { width: 100%; }
table.summary th { font-size: 0.8rem; }
td.over-limit { background: #fff1c2; font-weight: 600; }
.marker, .over-limit-text { color: #a64b00; }
.over-limit-text { font-weight: 600; }
.unverified { color: #666; font-style: italic; }
.not-valid, .range, .figure { color: #666; font-weight: normal; }
td.some-invalid { color: #b00020; font-weight: 600; }
td.reasons { font-size: 0.78rem; color: #7a1d1d; }
#charts { display: grid; grid-template-columns: repeat(auto-fill, minmax(min(100%, 34rem), 1fr)); gap: 1.2rem 1.6rem; }
#charts > section.wide { grid-column: 1 / -1; }
section.charts { min-width: 0; }
section.charts h3 { font-size: 1rem; margin: 0.4rem 0 0; }
.chart-grid { display: grid; grid-template-columns: repeat(auto-fill, minmax(min(100%, 34rem), 1fr)); gap: 1.2rem 1.6rem; }
figure { margin: 0; min-width: 0; }
figcaption { font-weight: 600; font-size: 0.9rem; margin-bottom: 0.3rem; }
.chart-box { position: relative; width: 100%; }
details.device { border: 1px solid #ddd; border-radius: 4px; padding: 0.4rem 0.7rem; margin: 0.5rem 0; }
details.device > summary { cursor: pointer; }
details.device .headline { color: #555; font-size: 0.85rem; margin-left: 0.4rem; }
dl.facts { display: grid; grid-template-columns: repeat(auto-fill, minmax(16rem, 1fr)); gap: 0.15rem 1.2rem; font-size: 0.82rem; margin: 0.6rem 0; }
dl.facts div { display: flex; gap: 0.4rem; min-width: 0; }
dl.facts dt { color: #555; white-space: nowrap; }
dl.facts dd { margin: 0; overflow-wrap: anywhere; }
table.details { width: 100%; margin: 0.6rem 0; font-size: 0.78rem; }
table.details caption { text-align: left; font-weight: 600; padding: 0.2rem 0; }
tr.invalid { background: #fff3f3; }
`;

export function renderReportHtml(report: CampaignReport): string {
  const { campaign } = report;
  const cells = reportCells(report);
  const charts = buildReportCharts(report, cells);
  const valid = report.rows.filter((row) => row.values.valid === true).length;
  const devices = new Set(report.rows.map((row) => String(row.values.deviceId))).size;
  const baselines = [...new Set(report.rows.map((row) => row.values.baseline).filter((value): value is string => typeof value === 'string' && value !== ''))];
  const rules = campaign.spec.runRules;
  const body = `<h1>${escapeHtml(campaign.name)}</h1>
<div class="meta">campaign ${escapeHtml(campaign.id)} · measure ${escapeHtml(campaign.measure)} · state ${escapeHtml(campaign.state)} ·
started ${escapeHtml(readableTime(campaign.createdAt))}${campaign.finishedAt ? ` · finished ${escapeHtml(readableTime(campaign.finishedAt))}` : ''}<br>
${cells.length} cell${cells.length === 1 ? '' : 's'} on ${devices} device${devices === 1 ? '' : 's'} · ${report.rows.length} results, ${valid} valid${
    baselines.length > 0 ? ` · speedup = baseline p50 / sparse p50, baseline ${escapeHtml(baselines.join(', '))}` : ''
  }<br>
run rules: warm-up ${rules.warmupIterations}, ≥ ${rules.minIterations} iterations and ≥ ${rules.minDurationMs} ms, percentiles
${rules.percentiles.join('/')}, cool-down ${rules.cooldownMs} ms${rules.sustained ? `, sustained ${rules.sustained.durationMs} ms in ${rules.sustained.windowMs} ms windows` : ''}</div>
<h2 id="summary-heading">Summary</h2>
${
  cells.length === 0
    ? '<p class="note">No results yet.</p>'
    : `<p class="note">One row per cell. Medians and spreads are over the devices whose result is valid.${
        report.rows.some((row) => typeof row.values.speedup === 'number' && row.values.speedup > 0)
          ? ` A speedup above the 1/density limit (<span class="marker">▲</span>, shaded) is more than the sparse arithmetic alone can give: the baseline is likely paying fixed overhead.`
          : ''
      }</p>
${renderSummaryTable(cells)}`
}
${charts.length === 0 ? '' : `<h2 id="charts-heading">Charts</h2>\n<div id="charts">\n${chartSections(charts)}\n</div>`}
${cells.length === 0 ? '' : `<h2 id="details-heading">Per-device details</h2>
<p class="note">Every stored result, per device; columns that no result fills are left out. Exact values are in each cell’s data-value.</p>
<div id="details">
${renderDeviceDetails(report, cells)}
</div>`}
<script type="application/json" id="report-data">${embedJson(report)}</script>
<script type="application/json" id="report-charts">${embedJson(charts)}</script>
${reportInlineScripts().map((script) => `<script>${script}</script>`).join('\n')}`;
  return renderHtmlPage({ title: `${campaign.name} — sparsefleet campaign report`, style: REPORT_STYLE, body });
}

/**
 * The report's executable inline scripts, exactly as embedded (chart.js, then the chart drawing): a page with a
 * strict Content-Security-Policy (the dashboard) allows them by hash to show a report in a frame.
 */
export function reportInlineScripts(): string[] {
  return [escapeScript(chartJsSource()), REPORT_CHARTS_SCRIPT];
}

/** The report data as embedded in the HTML (the inverse of `embedJson`). */
export function extractEmbeddedReport(html: string): CampaignReport {
  const match = /<script type="application\/json" id="report-data">([\s\S]*?)<\/script>/.exec(html);
  if (!match) throw new Error('the HTML holds no report data');
  return JSON.parse(match[1]!) as CampaignReport;
}

/** The chart specifications as embedded in the HTML. */
export function extractEmbeddedCharts(html: string): ReportChart[] {
  const match = /<script type="application\/json" id="report-charts">([\s\S]*?)<\/script>/.exec(html);
  if (!match) throw new Error('the HTML holds no chart data');
  return JSON.parse(match[1]!) as ReportChart[];
}

/** "2026-01-05T10:00:00.000Z" → "2026-01-05 10:00:00 UTC"; other text as it is. */
function readableTime(iso: string): string {
  const match = /^(\d{4}-\d\d-\d\d)T(\d\d:\d\d:\d\d)(?:\.\d+)?Z$/.exec(iso);
  return match ? `${match[1]} ${match[2]} UTC` : iso;
}

function chartSections(charts: readonly ReportChart[]): string {
  return CHART_SECTIONS.filter(({ section }) => charts.some((chart) => chart.section === section))
    .map(({ section, heading, note }) => {
      const inSection = charts.filter((chart) => chart.section === section);
      const figures = inSection
        .map(
          (chart) => `<figure data-chart="${chart.id}"><figcaption>${escapeHtml(chart.title)}</figcaption>
<div class="chart-box"><canvas id="${chart.id}" role="img" aria-label="${escapeHtml(`${heading}: ${chart.title}`)}"></canvas></div></figure>`,
        )
        .join('\n');
      // A section of one chart takes one grid column (two such sections sit side by side); more take the full row.
      return `<section class="charts${inSection.length > 1 ? ' wide' : ''}" data-section="${section}">
<h3>${escapeHtml(heading)}</h3>
<p class="note">${escapeHtml(note)}</p>
<div class="chart-grid">
${figures}
</div>
</section>`;
    })
    .join('\n');
}
