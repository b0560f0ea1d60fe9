// `campaign compare` in the terminal: which campaigns, the thresholds, a table of the cells that moved beyond the
// threshold (regressions worst first, then improvements) and a one-line verdict.
import {
  verdictLine,
  type CampaignComparison,
  type CellComparison,
  type CompareMetric,
  type ComparedCampaign,
  type MetricComparison,
  type SideFigure,
} from '../../../server/src/campaigns/index.js';
import { formatTable, type Column } from './table.js';

const METRIC_HEADERS: Readonly<Record<CompareMetric, string>> = {
  speedup: 'SPEEDUP ×',
  latency: 'P50 MS',
  memory: 'MEMORY SAVED',
  accuracy: 'ACCURACY',
};

export function formatComparison(comparison: CampaignComparison): string {
  const { thresholds } = comparison;
  const lines = [
    sideLine('A', comparison.a),
    sideLine('B', comparison.b),
    `threshold ${number(thresholds.percent)}% (speedup, latency p50), ${number(thresholds.memoryPoints)} pt (memory saved), ` +
      `${number(thresholds.accuracyPoints)} pt (accuracy); metrics ${comparison.metrics.join(', ')}`,
  ];
  for (const note of comparison.notes) lines.push(`note: ${note}`);
  const flagged = comparison.cells.filter((cell) => cell.verdict === 'regression' || cell.verdict === 'improvement');
  lines.push('');
  lines.push(flagged.length === 0 ? 'no cell moved beyond the threshold' : formatFlaggedCells(flagged, comparison.metrics));
  const incomparable = comparison.cells.filter((cell) => cell.verdict === 'incomparable');
  if (incomparable.length > 0) {
    lines.push('', `incomparable: ${incomparable.slice(0, 5).map((cell) => `${cell.label} (${cell.reason})`).join('; ')}${more(incomparable.length)}`);
  }
  if (comparison.onlyInA.length > 0) lines.push(`only in A: ${comparison.onlyInA.slice(0, 5).map((cell) => cell.label).join('; ')}${more(comparison.onlyInA.length)}`);
  if (comparison.onlyInB.length > 0) lines.push(`only in B: ${comparison.onlyInB.slice(0, 5).map((cell) => cell.label).join('; ')}${more(comparison.onlyInB.length)}`);
  lines.push('', verdictLine(comparison));
  return lines.join('\n');
}

function formatFlaggedCells(cells: readonly CellComparison[], metrics: readonly CompareMetric[]): string {
  const shown = metrics.filter((metric) => cells.some((cell) => cell.metrics.some((entry) => entry.metric === metric)));
  const columns: Column<CellComparison>[] = [
    { header: 'VERDICT', value: (cell) => cell.verdict },
    { header: 'CELL', value: (cell) => cell.label, maxWidth: 48 },
    ...shown.map(
      (metric): Column<CellComparison> => ({
        header: METRIC_HEADERS[metric],
        value: (cell) => metricText(cell.metrics.find((entry) => entry.metric === metric)),
        maxWidth: 34,
      }),
    ),
    { header: 'NOISE', value: (cell) => (cell.withinNoise ? 'within' : '') },
    { header: 'DEVICES', value: (cell) => `${cell.validDevices.a}/${cell.validDevices.b}`, align: 'right' },
  ];
  return formatTable(columns, cells);
}

/** `6.1 → 5.2 (−14.8%)`, a `!` after a change that decided a verdict. */
function metricText(metric: MetricComparison | undefined): string {
  if (!metric) return '';
  const fraction = metric.figure === 'memorySaved' || metric.figure === 'testAccuracy';
  const change = metric.change === null ? '' : ` (${signed(metric.change)}${metric.changeUnit === '%' ? '%' : ' pt'})`;
  const flag = metric.verdict === 'regression' || metric.verdict === 'improvement' ? ' !' : '';
  return `${figure(metric.a, fraction)} → ${figure(metric.b, fraction)}${change}${flag}`;
}

function figure(value: SideFigure | null, fraction: boolean): string {
  if (value === null) return '-';
  return fraction ? `${number(value.median * 100)}%` : number(value.median);
}

function sideLine(side: 'A' | 'B', campaign: ComparedCampaign): string {
  const versions = campaign.agentVersions.length === 0 ? 'agent unknown' : `agent ${campaign.agentVersions.join(', ')}`;
  return `${side}  ${campaign.id.slice(0, 8)}  ${campaign.name}  (${campaign.measure}, ${campaign.state}, ${campaign.devices} device${campaign.devices === 1 ? '' : 's'}, ${versions})`;
}

function number(value: number): string {
  return String(Number(value.toPrecision(4)));
}

function signed(value: number): string {
  const rounded = Number(value.toFixed(1));
  return `${rounded > 0 ? '+' : rounded < 0 ? '-' : '±'}${Math.abs(rounded)}`;
}

function more(count: number): string {
  return count > 5 ? `; … ${count - 5} more` : '';
}
