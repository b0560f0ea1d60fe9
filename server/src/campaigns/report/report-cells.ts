// The report's cells as the HTML page groups them: each cell with its rows, its cross-device summary and the
// workload it belongs to (an op on a shape, or a model trained with a method at a batch size). The summary table,
// the charts and the details all read this one grouping. Pure.
import { summarizeCells, spreadOf, type CellSummary, type Spread } from './cell-summary.js';
import { percentileColumn, type CampaignReport, type ReportRow, type ReportValue } from './report-data.js';

export interface ReportCell {
  readonly summary: CellSummary;
  readonly rows: readonly ReportRow[];
  /** "linear-forward 32×128×128" or "mlp static b=64". */
  readonly workload: string;
  /** The model (and batch size) a training cell trains, for accuracy charts across methods: "mlp b=64"; null for kernels. */
  readonly model: string | null;
  readonly method: string | null;
  readonly scheme: string;
  readonly density: number | null;
  readonly training: boolean;
}

/** The report's cells, ordered by workload (first appearance), scheme (first appearance), then density high to low. */
export function reportCells(report: CampaignReport): ReportCell[] {
  const rowsByCell = new Map<string, ReportRow[]>();
  for (const row of report.rows) {
    const id = String(row.values.cellId);
    const list = rowsByCell.get(id);
    if (list) list.push(row);
    else rowsByCell.set(id, [row]);
  }
  const cells = summarizeCells(report).map((summary): ReportCell => {
    const rows = rowsByCell.get(summary.cellId) ?? [];
    const values = rows[0]?.values ?? {};
    const training = values.op === null || values.op === undefined || values.op === '';
    const batch = typeof values.batchSize === 'number' ? ` b=${values.batchSize}` : '';
    const model = training ? `${text(values.model) || summary.label}${batch}` : null;
    return {
      summary,
      rows,
      workload: training
        ? `${text(values.model) || summary.label}${values.method ? ` ${text(values.method)}` : ''}${batch}`
        : `${text(values.op)}${values.shape ? ` ${text(values.shape).replace(/x/g, '×')}` : ''}`,
      model,
      method: training ? text(values.method) || null : null,
      scheme: text(values.scheme) || '—',
      density: typeof values.density === 'number' ? values.density : null,
      training,
    };
  });
  const workloadOrder = firstAppearance(cells.map((cell) => cell.workload));
  const schemeOrder = firstAppearance(cells.map((cell) => cell.scheme));
  return cells
    .map((cell, index) => ({ cell, index }))
    .sort(
      (a, b) =>
        workloadOrder.get(a.cell.workload)! - workloadOrder.get(b.cell.workload)! ||
        schemeOrder.get(a.cell.scheme)! - schemeOrder.get(b.cell.scheme)! ||
        (b.cell.density ?? 0) - (a.cell.density ?? 0) ||
        a.index - b.index,
    )
    .map(({ cell }) => cell);
}

/** Groups in first-appearance order. */
export function groupBy<T>(items: readonly T[], keyOf: (item: T) => string): Array<{ key: string; items: T[] }> {
  const groups = new Map<string, T[]>();
  for (const item of items) {
    const key = keyOf(item);
    const list = groups.get(key);
    if (list) list.push(item);
    else groups.set(key, [item]);
  }
  return [...groups.entries()].map(([key, list]) => ({ key, items: list }));
}

/** A numeric figure of a row: finite and > 0, else null (0 and negatives mean "not measured" in results). */
export function positive(value: ReportValue | undefined): number | null {
  return typeof value === 'number' && Number.isFinite(value) && value > 0 ? value : null;
}

/** Median/min/max of a column over the given rows (positive values only). */
export function columnSpread(rows: readonly ReportRow[], column: string): Spread | null {
  return spreadOf(rows.map((row) => positive(row.values[column])).filter((value): value is number => value !== null));
}

export function validRows(rows: readonly ReportRow[]): ReportRow[] {
  return rows.filter((row) => row.values.valid === true);
}

/** The wall time a training row took to reach its accuracy: its measured duration, else step p50 × steps. */
export function trainingTimeMs(row: ReportRow): number | null {
  const duration = positive(row.values.durationMs);
  if (duration !== null) return duration;
  const p50 = positive(row.values[percentileColumn('latency', 50)]);
  const steps = positive(row.values.iterations);
  return p50 !== null && steps !== null ? p50 * steps : null;
}

/** 1/density: the speedup the same arithmetic on density × the weights allows. */
export function densityLimit(density: number | null): number | null {
  return density !== null && density > 0 ? 1 / density : null;
}

function text(value: ReportValue | undefined): string {
  return value === null || value === undefined ? '' : String(value);
}

function firstAppearance(keys: readonly string[]): Map<string, number> {
  const order = new Map<string, number>();
  for (const key of keys) if (!order.has(key)) order.set(key, order.size);
  return order;
}
