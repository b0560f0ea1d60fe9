// A campaign comparison as one self-contained HTML page: the verdict first, then the regressions (worst first) and
// improvements highlighted, the unchanged and incomparable cells collapsed, cells only in one campaign, and the
// comparison's JSON embedded so the page and the JSON answer cannot disagree. Pure.
import { displayNumber, embedJson, escapeHtml, renderHtmlPage } from '../report/html-kit.js';
import { verdictLine, type CampaignComparison, type CellComparison, type CompareMetric, type ComparedCampaign, type MetricComparison, type SideFigure } from './campaign-compare.js';

const DATA_ELEMENT_ID = 'comparison-data';

const METRIC_HEADERS: Readonly<Record<CompareMetric, string>> = {
  speedup: 'Speedup (×)',
  latency: 'Latency p50 (ms)',
  memory: 'Memory saved',
  accuracy: 'Test accuracy',
};

const STYLE = `
.verdict { font-size: 1.1rem; font-weight: 600; padding: 0.5rem 0.75rem; border-radius: 4px; display: inline-block; }
.verdict.regression { background: #fde2e1; color: #8a1c14; } .verdict.improvement { background: #dff3e3; color: #1d5e2c; }
.verdict.unchanged, .verdict.incomparable { background: #eee; color: #333; }
tr.regression td { background: #fff1f0; } tr.improvement td { background: #f1faf3; }
td .side { color: #555; white-space: nowrap; } td .range { color: #888; font-size: 0.8em; }
td.bad .change { color: #a8231a; font-weight: 600; } td.good .change { color: #1d6b30; font-weight: 600; }
.noise { color: #8a6d00; font-size: 0.8em; }
details { margin-top: 1rem; } summary { cursor: pointer; font-weight: 600; }
.notes li { color: #7a4b00; }
`;

export function renderComparisonHtml(comparison: CampaignComparison): string {
  const { a, b, counts } = comparison;
  const flagged = comparison.cells.filter((cell) => cell.verdict === 'regression' || cell.verdict === 'improvement');
  const unchanged = comparison.cells.filter((cell) => cell.verdict === 'unchanged');
  const incomparable = comparison.cells.filter((cell) => cell.verdict === 'incomparable');
  const metrics = shownMetrics(comparison);
  const body = [
    `<h1>Campaign comparison: ${escapeHtml(a.name)} → ${escapeHtml(b.name)}</h1>`,
    `<div class="meta">${sideLine('A', a)}<br>${sideLine('B', b)}</div>`,
    `<p><span class="verdict ${comparison.verdict}" data-verdict="${comparison.verdict}">${escapeHtml(verdictLine(comparison))}</span></p>`,
    `<p class="meta">Thresholds: ${displayNumber(comparison.thresholds.percent)}% for speedup and latency p50, ` +
      `${displayNumber(comparison.thresholds.memoryPoints)} pt for memory saved, ${displayNumber(comparison.thresholds.accuracyPoints)} pt for test accuracy; ` +
      `metrics compared: ${escapeHtml(comparison.metrics.join(', '))}.</p>`,
    `<details class="rule"><summary>How cells are judged</summary><p>${escapeHtml(comparison.rule)}</p></details>`,
    comparison.notes.length === 0 ? '' : `<ul class="notes">${comparison.notes.map((note) => `<li>${escapeHtml(note)}</li>`).join('')}</ul>`,
    `<h2>Regressions and improvements (${counts.regression} + ${counts.improvement})</h2>`,
    flagged.length === 0 ? '<p>No cell moved beyond the threshold.</p>' : cellTable(flagged, metrics, 'flagged'),
    collapsed(`Unchanged (${unchanged.length})`, unchanged.length === 0 ? '' : cellTable(unchanged, metrics, 'unchanged')),
    collapsed(`Incomparable (${incomparable.length})`, incomparable.length === 0 ? '' : cellTable(incomparable, metrics, 'incomparable')),
    collapsed(`Only in A (${comparison.onlyInA.length})`, cellList(comparison.onlyInA)),
    collapsed(`Only in B (${comparison.onlyInB.length})`, cellList(comparison.onlyInB)),
    `<script type="application/json" id="${DATA_ELEMENT_ID}">${embedJson(comparison)}</script>`,
  ].join('\n');
  return renderHtmlPage({ title: `Comparison ${a.name} → ${b.name}`, style: STYLE, body });
}

/** The comparison embedded in a page rendered by renderComparisonHtml. */
export function extractEmbeddedComparison(html: string): CampaignComparison {
  const match = new RegExp(`<script type="application/json" id="${DATA_ELEMENT_ID}">([\\s\\S]*?)</script>`).exec(html);
  if (!match) throw new Error('no embedded comparison');
  return JSON.parse(match[1]!) as CampaignComparison;
}

function sideLine(side: 'A' | 'B', campaign: ComparedCampaign): string {
  const versions = campaign.agentVersions.length === 0 ? 'agent version unknown' : `agent ${campaign.agentVersions.join(', ')}`;
  return (
    `<b>${side}</b>: ${escapeHtml(campaign.name)} <code>${escapeHtml(campaign.id)}</code> — ${escapeHtml(campaign.measure)}, ` +
    `${escapeHtml(campaign.state)}, ${campaign.devices} device${campaign.devices === 1 ? '' : 's'}, ${escapeHtml(versions)}, ` +
    `created ${escapeHtml(campaign.createdAt)}`
  );
}

/** The metrics some cell has a figure for (accuracy only appears for training cells). */
function shownMetrics(comparison: CampaignComparison): CompareMetric[] {
  return comparison.metrics.filter((metric) => comparison.cells.some((cell) => cell.metrics.some((entry) => entry.metric === metric)));
}

function cellTable(cells: readonly CellComparison[], metrics: readonly CompareMetric[], kind: string): string {
  const head = ['Verdict', 'Cell', 'Devices A / B', ...metrics.map((metric) => METRIC_HEADERS[metric])];
  const rows = cells.map((cell) => {
    const verdict = cell.verdict + (cell.withinNoise ? ' <span class="noise">(within noise)</span>' : '') + (cell.reason ? `<br><span class="range">${escapeHtml(cell.reason)}</span>` : '');
    const metricCells = metrics.map((metric) => metricCell(cell.metrics.find((entry) => entry.metric === metric)));
    return (
      `<tr class="${cell.verdict}" data-cell-id="${escapeHtml(cell.cellId)}" data-verdict="${cell.verdict}">` +
      `<td>${verdict}</td><td>${escapeHtml(cell.label)}</td>` +
      `<td class="number">${cell.validDevices.a} / ${cell.validDevices.b}</td>${metricCells.join('')}</tr>`
    );
  });
  return `<table data-table="${kind}"><thead><tr>${head.map((text) => `<th>${escapeHtml(text)}</th>`).join('')}</tr></thead><tbody>${rows.join('')}</tbody></table>`;
}

function metricCell(metric: MetricComparison | undefined): string {
  if (!metric) return '<td></td>';
  const css = metric.verdict === 'regression' ? 'bad' : metric.verdict === 'improvement' ? 'good' : '';
  const percent = metric.figure === 'memorySaved' || metric.figure === 'testAccuracy';
  const change = metric.change === null ? '—' : `${signed(metric.change)}${metric.changeUnit === '%' ? '%' : ' pt'}`;
  const noise = metric.withinNoise && (metric.verdict === 'regression' || metric.verdict === 'improvement') ? ' <span class="noise">within noise</span>' : '';
  return (
    `<td class="${css}"><span class="side">A ${figure(metric.a, percent)}</span><br><span class="side">B ${figure(metric.b, percent)}</span>` +
    `<br><span class="change">${escapeHtml(change)}</span>${noise}</td>`
  );
}

function figure(value: SideFigure | null, percent: boolean): string {
  if (value === null) return '—';
  const show = (number: number) => (percent ? `${displayNumber(Number((number * 100).toFixed(2)))}%` : displayNumber(Number(number.toPrecision(4))));
  const range = value.min !== null && value.max !== null && value.min !== value.max ? ` <span class="range">[${show(value.min)}–${show(value.max)}]</span>` : '';
  return `${show(value.median)}${range}`;
}

function signed(value: number): string {
  const rounded = Number(value.toFixed(2));
  return `${rounded > 0 ? '+' : rounded < 0 ? '−' : '±'}${displayNumber(Math.abs(rounded))}`;
}

function collapsed(title: string, content: string): string {
  return `<details><summary>${escapeHtml(title)}</summary>${content === '' ? '<p>None.</p>' : content}</details>`;
}

function cellList(cells: readonly { cellId: string; label: string }[]): string {
  if (cells.length === 0) return '';
  return `<ul>${cells.map((cell) => `<li>${escapeHtml(cell.label)} <code>${escapeHtml(cell.cellId)}</code></li>`).join('')}</ul>`;
}
