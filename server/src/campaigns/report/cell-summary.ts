// Per-cell figures across devices, as a benchmark suite publishes them: for each cell the median, min and max over
// the devices whose result is valid, the best and worst device, and the memory the sparse state saves. Built from
// the report's rows, so every rendering (summary table, charts, comparisons) reads the same numbers. Pure.
import type { CampaignReport, ReportRow, ReportValue } from './report-data.js';

/** Median, min and max of a figure over devices. */
export interface Spread {
  readonly median: number;
  readonly min: number;
  readonly max: number;
}

export interface DeviceFigure {
  readonly deviceId: string;
  readonly deviceName: string;
  readonly value: number;
}

export interface CellSummary {
  readonly cellId: string;
  readonly label: string;
  /** The cell's parameters that are set (op, shape, model, method, scheme, density, batchSize). */
  readonly params: Readonly<Record<string, string | number>>;
  /** Devices with a result for the cell, and how many of those results are valid. */
  readonly devices: number;
  readonly validDevices: number;
  /** Speedup against the same-harness dense baseline (valid results only). */
  readonly speedup: Spread | null;
  /** p50 of the measured side, ms. */
  readonly latencyP50Ms: Spread | null;
  /** 1 − model state / dense model state (training cells), median over devices. */
  readonly memorySaved: number | null;
  readonly testAccuracy: Spread | null;
  /** By speedup (valid results only). */
  readonly best: DeviceFigure | null;
  readonly worst: DeviceFigure | null;
}

const PARAM_COLUMNS = ['op', 'shape', 'model', 'method', 'scheme', 'density', 'batchSize'] as const;

export function summarizeCells(report: CampaignReport): CellSummary[] {
  const byCell = new Map<string, ReportRow[]>();
  for (const row of report.rows) {
    const id = String(row.values.cellId);
    const rows = byCell.get(id);
    if (rows) rows.push(row);
    else byCell.set(id, [row]);
  }
  return [...byCell.entries()].map(([cellId, rows]) => summarizeCell(cellId, rows));
}

function summarizeCell(cellId: string, rows: readonly ReportRow[]): CellSummary {
  const first = rows[0]!.values;
  const valid = rows.filter((row) => row.values.valid === true);
  const speedups = figures(valid, 'speedup');
  const ordered = [...speedups].sort((a, b) => a.value - b.value);
  const saved = valid
    .map((row) => ratio(row.values.modelStateBytes, row.values.denseModelStateBytes))
    .filter((value): value is number => value !== undefined)
    .map((fraction) => 1 - fraction);
  return {
    cellId,
    label: String(first.cell ?? cellId),
    params: Object.fromEntries(
      PARAM_COLUMNS.filter((column) => first[column] !== null && first[column] !== undefined).map((column) => [column, first[column] as string | number]),
    ),
    devices: rows.length,
    validDevices: valid.length,
    speedup: spreadOf(speedups.map((f) => f.value)),
    latencyP50Ms: spreadOf(figures(valid, 'latencyP50Ms').map((f) => f.value)),
    memorySaved: saved.length === 0 ? null : median(saved),
    testAccuracy: spreadOf(figures(valid, 'testAccuracy').map((f) => f.value)),
    best: ordered.at(-1) ?? null,
    worst: ordered[0] ?? null,
  };
}

/** The figure of each row that has it as a finite positive-or-zero number. */
function figures(rows: readonly ReportRow[], column: string): DeviceFigure[] {
  return rows.flatMap((row) => {
    const value = row.values[column];
    if (typeof value !== 'number' || !Number.isFinite(value) || value <= 0) return [];
    return [{ deviceId: String(row.values.deviceId), deviceName: String(row.values.deviceName ?? row.values.deviceId), value }];
  });
}

export function spreadOf(values: readonly number[]): Spread | null {
  if (values.length === 0) return null;
  return { median: median(values), min: Math.min(...values), max: Math.max(...values) };
}

/**
 * numpy.percentile(values, 50): the middle value, or `high − (high − low)·0.5` between the two middle ones, bit for
 * bit. One figure per device, so sorting a copy is cheap.
 */
function median(values: readonly number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  const low = sorted[Math.floor((sorted.length - 1) / 2)]!;
  const high = sorted[Math.ceil((sorted.length - 1) / 2)]!;
  return low === high ? low : high - (high - low) * 0.5;
}

function ratio(numerator: ReportValue | undefined, denominator: ReportValue | undefined): number | undefined {
  if (typeof numerator !== 'number' || typeof denominator !== 'number' || numerator <= 0 || denominator <= 0) return undefined;
  return numerator / denominator;
}
