// What the HTML report plots, computed here from the report's cells (so the numbers are the summary table's) and
// embedded as JSON; the page's script only turns each chart into a chart.js configuration. Charts:
//  - speedup vs density per scheme (median over devices, min–max band, results that are not valid marked) with the
//    1/density limit as a dashed line, one chart per op+shape or model+method+batch;
//  - latency per device: for every cell a bar per device, shaded up to each run-rule percentile (p50/p90/p99);
//  - memory vs density: model state (with the dense model state for reference) or, for kernels, peak memory;
//  - test accuracy vs density and time to accuracy per method and scheme (cells that report an accuracy);
//  - drift of the median over sustained runs;
//  - for training-run cells that reported masks: ITOP exploration rate and mask churn against the step, one line
//    per cell and device.
// A figure the campaign has no numbers for is not drawn at all; every drawn series has at least one point. Pure.
import { spreadOf } from './cell-summary.js';
import { columnSpread, groupBy, positive, trainingTimeMs, validRows, type ReportCell } from './report-cells.js';
import { percentileColumn, type CampaignReport, type ReportDriftSample } from './report-data.js';
import { formatMs, formatPercent, formatTimes, significant } from './html-kit.js';

export type ChartSection = 'speedup' | 'latency' | 'memory' | 'accuracy' | 'time-to-accuracy' | 'drift' | 'masks';

export interface ChartPoint {
  readonly x: number;
  readonly y: number;
  /** Tooltip text. */
  readonly note?: string;
}

/** line: measured medians; band-low/band-high: min–max over devices (filled between); invalid: results that are not
 *  valid (crosses); limit: the 1/density limit (dashed); reference: a dense figure to compare with (dashed). */
export type SeriesStyle = 'line' | 'band-low' | 'band-high' | 'invalid' | 'limit' | 'reference' | 'points';

export interface ChartSeries {
  readonly label: string;
  readonly points: ChartPoint[];
  /** Palette index; -1 is the neutral grey of limits and references. */
  readonly color: number;
  readonly style: SeriesStyle;
}

export interface XyChart {
  readonly kind: 'xy';
  readonly id: string;
  readonly section: ChartSection;
  readonly title: string;
  readonly xLabel: string;
  readonly yLabel: string;
  /** Appended to values in ticks and tooltips: "×", " ms", "%", " MiB", " s". */
  readonly unit: string;
  /** A logarithmic y axis (ratios: 0.5× and 2× as far from 1×). */
  readonly logY?: boolean;
  /** A y axis fitted to the data instead of starting at zero (accuracies differ by points, not tens of points). */
  readonly fitY?: boolean;
  /** False when the series are too many to list (their tooltips name them). */
  readonly legend?: boolean;
  readonly series: ChartSeries[];
}

/** One stacked segment per device and percentile: values[i] is the part of category i between the previous
 *  percentile and this one, so the bar's shades end at p50, p90, p99. */
export interface BarSegment {
  readonly label: string;
  /** The device's name (the legend's text). */
  readonly device: string;
  readonly stack: string;
  readonly values: Array<number | null>;
  readonly notes: Array<string | null>;
  readonly color: number;
  /** 0 for the lowest percentile (darkest), then lighter. */
  readonly shade: number;
  /** Whether the segment names its device in the legend (the first segment of each device). */
  readonly legend: boolean;
}

export interface BarChart {
  readonly kind: 'bars';
  readonly id: string;
  readonly section: ChartSection;
  readonly title: string;
  readonly xLabel: string;
  readonly yLabel: string;
  readonly unit: string;
  readonly categories: string[];
  readonly segments: BarSegment[];
}

export type ReportChart = XyChart | BarChart;

export const CHART_SECTIONS: ReadonlyArray<{ section: ChartSection; heading: string; note: string }> = [
  {
    section: 'speedup',
    heading: 'Speedup vs density',
    note: 'Median over devices per scheme, the shaded band spans the devices (min–max), crosses are results that are not valid. The dashed line is 1/density: the speedup doing density × the arithmetic allows.',
  },
  {
    section: 'latency',
    heading: 'Latency per device',
    note: 'For every cell one bar per device: the dark part ends at the lowest run-rule percentile (p50), each lighter part at the next (p90, p99). Valid results only.',
  },
  { section: 'memory', heading: 'Memory vs density', note: 'Median over devices with a valid result.' },
  { section: 'accuracy', heading: 'Test accuracy vs density', note: 'Median over devices with a valid result, per method and scheme.' },
  {
    section: 'time-to-accuracy',
    heading: 'Time to accuracy',
    note: 'Wall time of the training run against the test accuracy it reached; one point per density (median over devices).',
  },
  {
    section: 'drift',
    heading: 'Drift over sustained runs',
    note: 'Median latency per window of the sustained phase, one line per cell and device (coloured by device as in the latency charts).',
  },
  {
    section: 'masks',
    heading: 'Mask exploration',
    note: 'Training runs that reported their masks, one line per cell and device. ITOP rate: the fraction of weights ever active so far (in-time over-parameterisation). Churn: the fraction of active weights that changed at each mask update.',
  },
];

/** Lines with a legend; more are told apart by their tooltips. */
const MASK_LEGEND_LIMIT = 6;

/** The cells one chart of each kind shows: an op on a shape, or a model at a batch size (its methods as series). */
interface ChartGroup {
  readonly title: string;
  readonly cells: readonly ReportCell[];
  /** The series a cell belongs to: its scheme, or method · scheme when the group trains with several methods. */
  readonly seriesOf: (cell: ReportCell) => string;
}

export function buildReportCharts(report: CampaignReport, cells: readonly ReportCell[]): ReportChart[] {
  const groups = chartGroups(cells);
  const colors = colorIndex(groups.flatMap((group) => group.cells.map(group.seriesOf)));
  const deviceColors = colorIndex(report.rows.map((row) => String(row.values.deviceId)));
  const percentiles = [...new Set(report.campaign.spec.runRules.percentiles)].sort((a, b) => a - b);
  const charts: UnnumberedChart[] = groups.flatMap((group) => [
    speedupChart(group, colors),
    latencyChart(group, percentiles, deviceColors),
    memoryChart(group, colors),
    accuracyChart(group, colors),
    timeToAccuracyChart(group, colors),
    driftChart(group, deviceColors),
  ]);
  charts.push(...maskCharts(report));
  const drawn = charts.map(withoutEmptySeries).filter(hasData);
  const order = CHART_SECTIONS.map((entry) => entry.section);
  return drawn
    .map((chart, index) => ({ chart, index }))
    .sort((a, b) => order.indexOf(a.chart.section) - order.indexOf(b.chart.section) || a.index - b.index)
    .map(({ chart }, index) => ({ ...chart, id: `chart-${index + 1}` }) as ReportChart);
}

function chartGroups(cells: readonly ReportCell[]): ChartGroup[] {
  return groupBy(cells, (cell) => (cell.training && cell.model !== null ? `model ${cell.model}` : `workload ${cell.workload}`)).map(({ items }) => {
    const single = new Set(items.map((cell) => cell.method ?? '')).size <= 1;
    return {
      title: single || items[0]!.model === null ? items[0]!.workload : items[0]!.model,
      cells: items,
      seriesOf: single ? (cell: ReportCell) => cell.scheme : methodScheme,
    };
  });
}

function speedupChart({ title, cells, seriesOf }: ChartGroup, colors: Map<string, number>): Omit<XyChart, 'id'> {
  const series: ChartSeries[] = [];
  for (const { key: scheme, items } of groupBy(cells, seriesOf)) {
    const color = colors.get(scheme)!;
    const measured = items.filter((cell) => cell.density !== null && cell.summary.speedup !== null);
    if (measured.some((cell) => cell.summary.speedup!.min < cell.summary.speedup!.max)) {
      series.push({ label: `${scheme} min`, style: 'band-low', color, points: measured.map((cell) => ({ x: cell.density!, y: cell.summary.speedup!.min })) });
      series.push({ label: `${scheme} max`, style: 'band-high', color, points: measured.map((cell) => ({ x: cell.density!, y: cell.summary.speedup!.max })) });
    }
    series.push({
      label: scheme,
      style: 'line',
      color,
      points: measured.map((cell) => {
        const { median, min, max } = cell.summary.speedup!;
        const spread = min === max ? '' : ` (${formatTimes(min)}–${formatTimes(max)})`;
        return { x: cell.density!, y: median, note: `median of ${cell.summary.validDevices} device(s)${spread}; limit ${formatTimes(1 / cell.density!)}` };
      }),
    });
    series.push({
      label: `${scheme} (not valid)`,
      style: 'invalid',
      color,
      points: items.flatMap((cell) =>
        cell.density === null
          ? []
          : cell.rows
              .filter((row) => row.values.valid !== true && positive(row.values.speedup) !== null)
              .map((row) => ({ x: cell.density!, y: row.values.speedup as number, note: `${String(row.values.deviceName)}: ${String(row.values.invalidReasons || 'not valid')}` })),
      ),
    });
  }
  const densities = cells.map((cell) => cell.density).filter((density): density is number => density !== null && density > 0);
  series.push({ label: '1/density limit', style: 'limit', color: -1, points: limitCurve(densities) });
  return { kind: 'xy', section: 'speedup', title, xLabel: 'density', yLabel: 'speedup vs baseline (×, log scale)', unit: '×', logY: true, series };
}

/** 1/density sampled across the densities' range (a curve on the linear axis), through every density itself. */
export function limitCurve(densities: readonly number[]): ChartPoint[] {
  if (densities.length === 0) return [];
  const low = Math.min(...densities);
  const high = Math.max(...densities);
  const xs = new Set(densities);
  const steps = 32;
  for (let i = 0; i <= steps && high > low; i++) xs.add(low * (high / low) ** (i / steps));
  return [...xs].sort((a, b) => a - b).map((x) => ({ x, y: 1 / x, note: `limit at density ${significant(x)}: ${formatTimes(1 / x)}` }));
}

function latencyChart({ title, cells, seriesOf }: ChartGroup, percentiles: readonly number[], colors: Map<string, number>): Omit<BarChart, 'id'> {
  const categories = cells.map((cell) => `${seriesOf(cell)}${cell.density === null ? '' : ` d=${cell.density}`}`);
  const devices = groupBy(
    cells.flatMap((cell, index) => validRows(cell.rows).map((row) => ({ index, row }))),
    (entry) => String(entry.row.values.deviceId),
  );
  const segments: BarSegment[] = [];
  for (const { key: deviceId, items } of devices) {
    const name = String(items[0]!.row.values.deviceName ?? deviceId);
    const byCategory = new Map(items.map((entry) => [entry.index, entry.row]));
    const previous: number[] = categories.map(() => 0);
    let first = true;
    for (const [shade, percentile] of percentiles.entries()) {
      const column = percentileColumn('latency', percentile);
      const values: Array<number | null> = [];
      const notes: Array<string | null> = [];
      for (let index = 0; index < categories.length; index++) {
        const value = positive(byCategory.get(index)?.values[column]);
        if (value === null) {
          values.push(null);
          notes.push(null);
          continue;
        }
        values.push(Math.max(0, value - previous[index]!));
        notes.push(`${name} p${percentile}: ${formatMs(value)}`);
        previous[index] = Math.max(previous[index]!, value);
      }
      if (values.every((value) => value === null)) continue;
      segments.push({ label: `${name} p${percentile}`, device: name, stack: deviceId, values, notes, color: colors.get(deviceId)!, shade, legend: first });
      first = false;
    }
  }
  return { kind: 'bars', section: 'latency', title, xLabel: 'cell', yLabel: 'latency (ms)', unit: ' ms', categories, segments };
}

function memoryChart({ title, cells, seriesOf }: ChartGroup, colors: Map<string, number>): Omit<XyChart, 'id'> {
  const modelState = cells.some((cell) => validRows(cell.rows).some((row) => positive(row.values.modelStateBytes) !== null));
  const column = modelState ? 'modelStateBytes' : 'peakMemoryBytes';
  const medians = (cell: ReportCell, name: string) => columnSpread(validRows(cell.rows), name)?.median ?? null;
  const raw = groupBy(cells, seriesOf).map(({ key: scheme, items }) => ({
    scheme,
    points: items.flatMap((cell) => {
      const value = medians(cell, column);
      return cell.density === null || value === null ? [] : [{ x: cell.density, bytes: value }];
    }),
  }));
  const dense = groupBy(
    cells.filter((cell) => cell.density !== null && modelState),
    (cell) => String(cell.density),
  ).flatMap(({ items }) => {
    const value = spreadOf(items.map((cell) => medians(cell, 'denseModelStateBytes')).filter((bytes): bytes is number => bytes !== null));
    return value === null ? [] : [{ x: items[0]!.density!, bytes: value.median }];
  });
  const largest = Math.max(0, ...raw.flatMap((entry) => entry.points.map((point) => point.bytes)), ...dense.map((point) => point.bytes));
  const [divisor, unit] = largest >= 1024 ** 3 ? [1024 ** 3, 'GiB'] : largest >= 1024 ** 2 ? [1024 ** 2, 'MiB'] : [1024, 'KiB'];
  const scaled = (points: ReadonlyArray<{ x: number; bytes: number }>, note: (bytes: number) => string) =>
    [...points].sort((a, b) => a.x - b.x).map((point) => ({ x: point.x, y: point.bytes / divisor, note: note(point.bytes) }));
  const series: ChartSeries[] = raw.map(({ scheme, points }) => ({
    label: scheme,
    style: 'line' as const,
    color: colors.get(scheme)!,
    points: scaled(points, (bytes) => `${significant(bytes / divisor)} ${unit}, median over devices`),
  }));
  if (dense.length > 0) series.push({ label: 'dense model state', style: 'reference', color: -1, points: scaled(dense, (bytes) => `dense: ${significant(bytes / divisor)} ${unit}`) });
  return {
    kind: 'xy',
    section: 'memory',
    title: `${title}: ${modelState ? 'model state' : 'peak memory of the agent process'}`,
    xLabel: 'density',
    yLabel: `${modelState ? 'model state' : 'peak memory'} (${unit})`,
    unit: ` ${unit}`,
    series,
  };
}

function accuracyChart({ title, cells, seriesOf }: ChartGroup, colors: Map<string, number>): Omit<XyChart, 'id'> {
  const series = groupBy(cells, seriesOf).map(({ key, items }) => ({
    label: key,
    style: 'line' as const,
    color: colors.get(key)!,
    points: items
      .filter((cell) => cell.density !== null && cell.summary.testAccuracy !== null)
      .sort((a, b) => a.density! - b.density!)
      .map((cell) => {
        const { median, min, max } = cell.summary.testAccuracy!;
        return { x: cell.density!, y: median * 100, note: `${formatPercent(median)}${min === max ? '' : ` (${formatPercent(min)}–${formatPercent(max)})`}` };
      }),
  }));
  return { kind: 'xy', section: 'accuracy', title, xLabel: 'density', yLabel: 'test accuracy (%)', unit: '%', fitY: true, series };
}

function timeToAccuracyChart({ title, cells, seriesOf }: ChartGroup, colors: Map<string, number>): Omit<XyChart, 'id'> {
  const series = groupBy(cells, seriesOf).map(({ key, items }) => ({
    label: key,
    style: 'line' as const,
    color: colors.get(key)!,
    points: items.flatMap((cell) => {
      const time = spreadOf(validRows(cell.rows).map(trainingTimeMs).filter((ms): ms is number => ms !== null));
      if (cell.summary.testAccuracy === null || time === null) return [];
      const accuracy = cell.summary.testAccuracy.median;
      return [{ x: time.median / 1000, y: accuracy * 100, note: `d=${cell.density}: ${formatPercent(accuracy)} in ${formatMs(time.median)}` }];
    }),
  }));
  return { kind: 'xy', section: 'time-to-accuracy', title, xLabel: 'training time (s)', yLabel: 'test accuracy (%)', unit: '%', fitY: true, series };
}

/** One line per (cell, device) with drift samples, coloured by device as in the latency charts. */
function driftChart({ title, cells, seriesOf }: ChartGroup, deviceColors: Map<string, number>): Omit<XyChart, 'id'> {
  const drifting = cells.flatMap((cell) => cell.rows.filter((row) => row.drift.length > 0).map((row) => ({ cell, row })));
  return {
    kind: 'xy',
    section: 'drift',
    title,
    xLabel: 'time since the sustained phase began (s)',
    yLabel: 'median latency per window (ms)',
    unit: ' ms',
    legend: drifting.length <= 8,
    series: drifting.map(({ cell, row }) => ({
      label: `${seriesOf(cell)} d=${cell.density} · ${String(row.values.deviceName)}`,
      style: 'line' as const,
      color: deviceColors.get(String(row.values.deviceId))!,
      points: row.drift.map((sample: ReportDriftSample) => ({ x: sample.offsetMs / 1000, y: sample.medianMs })),
    })),
  };
}

function methodScheme(cell: ReportCell): string {
  return cell.method ? `${cell.method} · ${cell.scheme}` : cell.scheme;
}

function colorIndex(keys: readonly string[]): Map<string, number> {
  const colors = new Map<string, number>();
  for (const key of keys) if (!colors.has(key)) colors.set(key, colors.size);
  return colors;
}

function maskCharts(report: CampaignReport): Omit<XyChart, 'id'>[] {
  const runs = report.masks ?? [];
  if (runs.length === 0) return [];
  const colorOf = (run: (typeof runs)[number]) => `${run.cellId}|${run.deviceId}`;
  const colors = colorIndex(runs.map(colorOf));
  const oneDevice = new Set(runs.map((run) => run.deviceId)).size === 1;
  const label = (run: (typeof runs)[number]) => (oneDevice ? run.cell : `${run.cell} · ${run.deviceName}`);
  const legend = runs.length <= MASK_LEGEND_LIMIT;
  const itop: ChartSeries[] = runs.map((run) => ({
    label: label(run),
    style: 'line',
    color: colors.get(colorOf(run))!,
    points: run.updates
      .filter((u) => u.itopRate !== null)
      .map((u) => ({ x: u.step, y: u.itopRate! * 100, note: `${label(run)}: step ${u.step}, ITOP ${formatPercent(u.itopRate!)}, density ${formatPercent(u.density)}` })),
  }));
  const churn: ChartSeries[] = runs.map((run) => ({
    label: label(run),
    style: 'line',
    color: colors.get(colorOf(run))!,
    points: run.updates
      .filter((u) => u.churn !== null)
      .map((u) => ({ x: u.step, y: u.churn! * 100, note: `${label(run)}: step ${u.step}, churn ${formatPercent(u.churn!)}` })),
  }));
  return [
    { kind: 'xy', section: 'masks', title: 'ITOP exploration rate', xLabel: 'step', yLabel: 'weights ever active (%)', unit: '%', fitY: true, legend, series: itop },
    { kind: 'xy', section: 'masks', title: 'Mask churn per update', xLabel: 'step', yLabel: 'active weights changed (%)', unit: '%', legend, series: churn },
  ];
}

type UnnumberedChart = Omit<XyChart, 'id'> | Omit<BarChart, 'id'>;

function withoutEmptySeries(chart: UnnumberedChart): UnnumberedChart {
  return chart.kind === 'bars' ? chart : { ...chart, series: chart.series.filter((entry) => entry.points.length > 0) };
}

/** A chart with a measured series (a limit or a reference alone is no figure). */
function hasData(chart: UnnumberedChart): boolean {
  if (chart.kind === 'bars') return chart.segments.length > 0;
  return chart.series.some((entry) => entry.style !== 'limit' && entry.style !== 'reference');
}
