// Two campaigns side by side, cell by cell (two agent versions, two fleets, before and after a change): for each
// cell both ran, the per-cell figures across devices (median, min, max from summarizeCells, never recomputed) of
// each side, the change of each metric, and a verdict against a threshold, so CI can gate on regressions. Cells
// match by id, a hash of the cell's parameters that is the same in every campaign. Pure.
import { expandMatrix } from '../campaign-matrix.js';
import { summarizeCells, type CellSummary, type Spread } from '../report/cell-summary.js';
import type { CampaignReport } from '../report/report-data.js';

export const COMPARE_METRICS = ['speedup', 'latency', 'memory', 'accuracy'] as const;
export type CompareMetric = (typeof COMPARE_METRICS)[number];

export const VERDICTS = ['regression', 'improvement', 'unchanged', 'incomparable'] as const;
export type Verdict = (typeof VERDICTS)[number];

export const DEFAULT_THRESHOLD_PERCENT = 5;
export const DEFAULT_ACCURACY_THRESHOLD_POINTS = 0.5;
/** A threshold above this is a typo, not a gate. */
export const MAX_THRESHOLD = 1000;

/** Changes this close to the threshold count as at it (1.05 / 1 − 1 is 0.0500000000000000444 in binary). */
const EPSILON = 1e-9;

export const COMPARISON_RULE =
  'A cell is compared on the medians across its devices with a valid result. Speedup (higher is better) and ' +
  'latency p50 (lower is better) change relative to A, in %; memory saved (a fraction of the dense model state, ' +
  'higher is better) changes in percentage points against the same threshold; test accuracy (training cells, ' +
  'higher is better) changes in points against the accuracy threshold. A change beyond its threshold (strictly) ' +
  'is a regression or an improvement; a change of exactly the threshold is not. A cell is a regression when any ' +
  'metric regressed, else an improvement when any improved, else unchanged; incomparable when one side has no ' +
  'valid result or no metric was measured on both sides. "Within noise" marks a flagged change whose min–max ' +
  'ranges across devices overlap: it is shown, and still counts, because the median moved beyond the threshold.';

export interface CompareOptions {
  /** Speedup and latency: relative change in percent; memory saved: percentage points. Default 5. */
  readonly thresholdPercent?: number;
  /** Test accuracy: percentage points. Default 0.5. */
  readonly accuracyThresholdPoints?: number;
  /** The metrics compared; default all. */
  readonly metrics?: readonly CompareMetric[];
}

/** One side's figure of a metric: median across devices, and min and max where the summary has them. */
export interface SideFigure {
  readonly median: number;
  readonly min: number | null;
  readonly max: number | null;
}

export interface MetricComparison {
  readonly metric: CompareMetric;
  /** The report column the figure comes from. */
  readonly figure: 'speedup' | 'latencyP50Ms' | 'memorySaved' | 'testAccuracy';
  readonly better: 'higher' | 'lower';
  readonly a: SideFigure | null;
  readonly b: SideFigure | null;
  /** B against A: percent of A ('%') or percentage points ('pt'); null when a side lacks the figure. */
  readonly change: number | null;
  readonly changeUnit: '%' | 'pt';
  readonly threshold: number;
  /** The min–max ranges of both sides overlap (null when a side has no range). */
  readonly withinNoise: boolean | null;
  readonly verdict: Verdict;
}

export interface CellComparison {
  readonly cellId: string;
  readonly label: string;
  readonly params: Readonly<Record<string, string | number>>;
  readonly verdict: Verdict;
  /** Why the cell is incomparable. */
  readonly reason: string | null;
  /** Every change that decided the verdict lies within both sides' device ranges (null unless flagged). */
  readonly withinNoise: boolean | null;
  /** The largest flagged change as a multiple of its threshold (0 unless flagged); orders the cells. */
  readonly severity: number;
  readonly devices: { readonly a: number; readonly b: number };
  readonly validDevices: { readonly a: number; readonly b: number };
  readonly metrics: MetricComparison[];
}

export interface CellRef {
  readonly cellId: string;
  readonly label: string;
}

export interface ComparedCampaign {
  readonly id: string;
  readonly name: string;
  readonly measure: string;
  readonly state: string;
  readonly createdAt: string;
  readonly finishedAt: string | null;
  /** Devices with at least one result. */
  readonly devices: number;
  /** Agent versions that produced the results, sorted. */
  readonly agentVersions: string[];
}

export type VerdictCounts = Record<Verdict, number>;

export interface CampaignComparison {
  readonly a: ComparedCampaign;
  readonly b: ComparedCampaign;
  readonly thresholds: { readonly percent: number; readonly memoryPoints: number; readonly accuracyPoints: number };
  readonly metrics: CompareMetric[];
  readonly rule: string;
  /** regression when any cell regressed, else improvement when any improved, else unchanged; incomparable when no cell could be compared. */
  readonly verdict: Verdict;
  readonly counts: VerdictCounts & { readonly onlyInA: number; readonly onlyInB: number };
  /** Differences between the campaigns that bear on the comparison (measure, run rules, base config). */
  readonly notes: string[];
  /** Regressions (worst first), improvements (largest first), unchanged, incomparable. */
  readonly cells: CellComparison[];
  readonly onlyInA: CellRef[];
  readonly onlyInB: CellRef[];
}

export class CompareOptionError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'CompareOptionError';
  }
}

/** `5`, `5%`, `0.5`: a threshold in percent (or points); throws CompareOptionError naming `name`. */
export function parseThreshold(text: string, name = 'threshold'): number {
  const trimmed = text.trim().replace(/\s*(%|pt|points?)$/i, '');
  const value = trimmed === '' ? Number.NaN : Number(trimmed);
  if (!Number.isFinite(value) || value < 0 || value > MAX_THRESHOLD) {
    throw new CompareOptionError(`${name} must be a number in [0, ${MAX_THRESHOLD}] (percent, e.g. 5 or 5%), got '${text}'`);
  }
  return value;
}

/** `speedup,latency`: the metrics to compare; throws CompareOptionError on an unknown name or an empty list. */
export function parseMetrics(text: string): CompareMetric[] {
  const names = text
    .split(',')
    .map((name) => name.trim())
    .filter((name) => name !== '');
  if (names.length === 0) throw new CompareOptionError(`metrics must list at least one of ${COMPARE_METRICS.join(', ')}`);
  for (const name of names) {
    if (!(COMPARE_METRICS as readonly string[]).includes(name)) {
      throw new CompareOptionError(`metrics: unknown metric '${name}' (one of ${COMPARE_METRICS.join(', ')})`);
    }
  }
  return COMPARE_METRICS.filter((metric) => names.includes(metric));
}

export function compareCampaigns(a: CampaignReport, b: CampaignReport, options: CompareOptions = {}): CampaignComparison {
  const percent = options.thresholdPercent ?? DEFAULT_THRESHOLD_PERCENT;
  const accuracyPoints = options.accuracyThresholdPoints ?? DEFAULT_ACCURACY_THRESHOLD_POINTS;
  const metrics = COMPARE_METRICS.filter((metric) => (options.metrics ?? COMPARE_METRICS).includes(metric));
  const summariesA = new Map(summarizeCells(a).map((summary) => [summary.cellId, summary]));
  const summariesB = new Map(summarizeCells(b).map((summary) => [summary.cellId, summary]));
  const cellsA = cellLabels(a, summariesA);
  const cellsB = cellLabels(b, summariesB);

  const cells: CellComparison[] = [];
  for (const [cellId, label] of cellsA) {
    if (!cellsB.has(cellId)) continue;
    cells.push(compareCell(cellId, label, summariesA.get(cellId), summariesB.get(cellId), { percent, accuracyPoints, metrics }));
  }
  cells.sort(byVerdictThenSeverity);
  const onlyIn = (mine: Map<string, string>, other: Map<string, string>): CellRef[] =>
    [...mine].filter(([cellId]) => !other.has(cellId)).map(([cellId, label]) => ({ cellId, label }));
  const onlyInA = onlyIn(cellsA, cellsB);
  const onlyInB = onlyIn(cellsB, cellsA);

  const counts = { regression: 0, improvement: 0, unchanged: 0, incomparable: 0 };
  for (const cell of cells) counts[cell.verdict] += 1;
  const verdict: Verdict =
    counts.regression > 0 ? 'regression' : counts.improvement > 0 ? 'improvement' : counts.unchanged > 0 ? 'unchanged' : 'incomparable';
  return {
    a: describeCampaign(a),
    b: describeCampaign(b),
    thresholds: { percent, memoryPoints: percent, accuracyPoints },
    metrics,
    rule: COMPARISON_RULE,
    verdict,
    counts: { ...counts, onlyInA: onlyInA.length, onlyInB: onlyInB.length },
    notes: differences(a, b),
    cells,
    onlyInA,
    onlyInB,
  };
}

/** One line: the verdict and the counts behind it. */
export function verdictLine(comparison: CampaignComparison): string {
  const { counts } = comparison;
  const compared = counts.regression + counts.improvement + counts.unchanged;
  const tail =
    `${counts.regression} regressed, ${counts.improvement} improved, ${counts.unchanged} unchanged, ` +
    `${counts.incomparable} incomparable; ${counts.onlyInA} only in A, ${counts.onlyInB} only in B`;
  switch (comparison.verdict) {
    case 'regression':
      return `REGRESSION: ${counts.regression} of ${compared} compared cells regressed beyond the threshold (${tail})`;
    case 'improvement':
      return `IMPROVEMENT, no regression: ${counts.improvement} of ${compared} compared cells improved (${tail})`;
    case 'unchanged':
      return `UNCHANGED: no compared cell moved beyond the threshold (${tail})`;
    case 'incomparable':
      return `NOTHING COMPARABLE: no cell of both campaigns has valid results on both sides (${tail})`;
  }
}

interface Thresholds {
  readonly percent: number;
  readonly accuracyPoints: number;
  readonly metrics: readonly CompareMetric[];
}

/** Every cell of the campaign's matrix, plus any cell with a result that the matrix no longer names. */
function cellLabels(report: CampaignReport, summaries: ReadonlyMap<string, CellSummary>): Map<string, string> {
  const labels = new Map<string, string>();
  for (const cell of expandMatrix(report.campaign.spec)) labels.set(cell.id, cell.label);
  for (const summary of summaries.values()) if (!labels.has(summary.cellId)) labels.set(summary.cellId, summary.label);
  return labels;
}

function compareCell(
  cellId: string,
  label: string,
  a: CellSummary | undefined,
  b: CellSummary | undefined,
  thresholds: Thresholds,
): CellComparison {
  const metrics = thresholds.metrics
    .map((metric) => compareMetric(metric, a, b, thresholds))
    .filter((comparison): comparison is MetricComparison => comparison !== null);
  const validA = a?.validDevices ?? 0;
  const validB = b?.validDevices ?? 0;
  const base = {
    cellId,
    label,
    params: a?.params ?? b?.params ?? {},
    devices: { a: a?.devices ?? 0, b: b?.devices ?? 0 },
    validDevices: { a: validA, b: validB },
    metrics,
  };
  const missing = validA === 0 && validB === 0 ? 'no valid result in A or B' : validA === 0 ? 'no valid result in A' : validB === 0 ? 'no valid result in B' : null;
  const compared = metrics.filter((metric) => metric.verdict !== 'incomparable');
  const reason = missing ?? (compared.length === 0 ? 'no compared metric was measured on both sides' : null);
  if (reason !== null) return { ...base, verdict: 'incomparable', reason, withinNoise: null, severity: 0 };

  const verdict: Verdict = compared.some((metric) => metric.verdict === 'regression')
    ? 'regression'
    : compared.some((metric) => metric.verdict === 'improvement')
      ? 'improvement'
      : 'unchanged';
  const deciding = compared.filter((metric) => metric.verdict === verdict);
  const withinNoise = verdict === 'unchanged' ? null : deciding.every((metric) => metric.withinNoise === true);
  const severity = verdict === 'unchanged' ? 0 : Math.max(...deciding.map((metric) => Math.abs(metric.change!) / Math.max(metric.threshold, EPSILON)));
  return { ...base, verdict, reason: null, withinNoise, severity };
}

function compareMetric(metric: CompareMetric, a: CellSummary | undefined, b: CellSummary | undefined, thresholds: Thresholds): MetricComparison | null {
  switch (metric) {
    case 'speedup':
      return relative(metric, 'speedup', 'higher', spreadFigure(a?.speedup), spreadFigure(b?.speedup), thresholds.percent);
    case 'latency':
      return relative(metric, 'latencyP50Ms', 'lower', spreadFigure(a?.latencyP50Ms), spreadFigure(b?.latencyP50Ms), thresholds.percent);
    case 'memory':
      return points(metric, 'memorySaved', medianFigure(a?.memorySaved), medianFigure(b?.memorySaved), thresholds.percent);
    case 'accuracy': {
      const figureA = spreadFigure(a?.testAccuracy);
      const figureB = spreadFigure(b?.testAccuracy);
      // Kernel and step cells measure no accuracy: nothing to show rather than an incomparable metric.
      if (figureA === null && figureB === null) return null;
      return points(metric, 'testAccuracy', figureA, figureB, thresholds.accuracyPoints);
    }
  }
}

function relative(
  metric: CompareMetric,
  figure: MetricComparison['figure'],
  better: MetricComparison['better'],
  a: SideFigure | null,
  b: SideFigure | null,
  threshold: number,
): MetricComparison | null {
  if (a === null && b === null) return null;
  const change = a !== null && b !== null && a.median > 0 ? ((b.median - a.median) / a.median) * 100 : null;
  return judged(metric, figure, better, a, b, change, '%', threshold);
}

/** Fractions (memory saved, accuracy) compared in percentage points, higher is better. */
function points(
  metric: CompareMetric,
  figure: MetricComparison['figure'],
  a: SideFigure | null,
  b: SideFigure | null,
  threshold: number,
): MetricComparison | null {
  if (a === null && b === null) return null;
  const change = a !== null && b !== null ? (b.median - a.median) * 100 : null;
  return judged(metric, figure, 'higher', a, b, change, 'pt', threshold);
}

function judged(
  metric: CompareMetric,
  figure: MetricComparison['figure'],
  better: MetricComparison['better'],
  a: SideFigure | null,
  b: SideFigure | null,
  change: number | null,
  changeUnit: MetricComparison['changeUnit'],
  threshold: number,
): MetricComparison {
  const verdict: Verdict =
    change === null
      ? 'incomparable'
      : Math.abs(change) <= threshold + EPSILON
        ? 'unchanged'
        : (change > 0) === (better === 'higher')
          ? 'improvement'
          : 'regression';
  return { metric, figure, better, a, b, change, changeUnit, threshold, withinNoise: rangesOverlap(a, b), verdict };
}

function spreadFigure(spread: Spread | null | undefined): SideFigure | null {
  return spread ? { median: spread.median, min: spread.min, max: spread.max } : null;
}

function medianFigure(value: number | null | undefined): SideFigure | null {
  return value === null || value === undefined ? null : { median: value, min: null, max: null };
}

function rangesOverlap(a: SideFigure | null, b: SideFigure | null): boolean | null {
  if (a === null || b === null || a.min === null || a.max === null || b.min === null || b.max === null) return null;
  return a.min <= b.max && b.min <= a.max;
}

const VERDICT_ORDER: Readonly<Record<Verdict, number>> = { regression: 0, improvement: 1, unchanged: 2, incomparable: 3 };

function byVerdictThenSeverity(x: CellComparison, y: CellComparison): number {
  return VERDICT_ORDER[x.verdict] - VERDICT_ORDER[y.verdict] || y.severity - x.severity || x.label.localeCompare(y.label) || x.cellId.localeCompare(y.cellId);
}

function describeCampaign(report: CampaignReport): ComparedCampaign {
  const { campaign } = report;
  const devices = new Set<string>();
  const versions = new Set<string>();
  for (const row of report.rows) {
    devices.add(String(row.values.deviceId));
    const version = row.values.agentVersion;
    if (typeof version === 'string' && version !== '') versions.add(version);
  }
  return {
    id: campaign.id,
    name: campaign.name,
    measure: campaign.measure,
    state: campaign.state,
    createdAt: campaign.createdAt,
    finishedAt: campaign.finishedAt,
    devices: devices.size,
    agentVersions: [...versions].sort(),
  };
}

/** What differs between the campaigns beyond their matrices: a cell's id does not cover run rules or base config. */
function differences(a: CampaignReport, b: CampaignReport): string[] {
  const notes: string[] = [];
  const specA = a.campaign.spec;
  const specB = b.campaign.spec;
  if (specA.measure !== specB.measure) notes.push(`measure differs: ${specA.measure} in A, ${specB.measure} in B`);
  const rulesA = specA.runRules as unknown as Record<string, unknown>;
  const rulesB = specB.runRules as unknown as Record<string, unknown>;
  for (const key of [...new Set([...Object.keys(rulesA), ...Object.keys(rulesB)])].sort()) {
    const valueA = JSON.stringify(rulesA[key] ?? null);
    const valueB = JSON.stringify(rulesB[key] ?? null);
    if (valueA !== valueB) notes.push(`run rules differ: ${key} ${valueA} in A, ${valueB} in B`);
  }
  if (JSON.stringify(specA.base ?? null) !== JSON.stringify(specB.base ?? null)) {
    notes.push('base training config differs (cells with the same parameters may train differently)');
  }
  return notes;
}
