// The demo's closing table, built from the results the coordinator persisted (REST), not from agent memory.

/** The fields of GET /api/jobs/:id/result that the table shows. */
export interface PersistedResult {
  readonly jobId: string;
  readonly deviceId: string;
  readonly outcome: number;
  readonly error: string;
  readonly backend: string;
  readonly dataSource: string;
  readonly syntheticData: boolean;
  readonly testAccuracy: number;
  readonly finalDensity: number;
  readonly stepMsP50: number;
  readonly stepMsP90: number;
  readonly peakRssBytes: number;
  /** Peak tfjs tensor memory of the agent that ran the job (per agent even when agents share a process). */
  readonly peakTensorBytes: number;
  readonly wallMs: number;
}

export interface ResultRow {
  readonly job: string;
  /** The data set the job asked for; the engine falls back to synthetic data when its files are absent. */
  readonly requestedData: string;
  readonly state: string;
  readonly result?: PersistedResult;
}

const COLUMNS = ['job', 'state', 'device', 'backend', 'data', 'density', 'test acc', 'step p50 ms', 'step p90 ms', 'tensors MB', 'rss MB', 'wall s'];

export function formatResultsTable(rows: readonly ResultRow[]): string {
  const cells = rows.map((row) => {
    const result = row.result;
    if (!result) return [row.job, row.state, ...COLUMNS.slice(2).map(() => '-')];
    return [
      row.job,
      row.state,
      shortId(result.deviceId),
      result.backend || '-',
      dataLabel(row.requestedData, result),
      result.finalDensity > 0 ? result.finalDensity.toFixed(2) : '-',
      result.testAccuracy >= 0 ? result.testAccuracy.toFixed(4) : '-',
      result.stepMsP50.toFixed(2),
      result.stepMsP90.toFixed(2),
      (result.peakTensorBytes / 2 ** 20).toFixed(1),
      (result.peakRssBytes / 2 ** 20).toFixed(0),
      (result.wallMs / 1000).toFixed(1),
    ];
  });
  const widths = COLUMNS.map((title, column) => Math.max(title.length, ...cells.map((line) => line[column].length)));
  const render = (line: readonly string[]): string =>
    line.map((cell, column) => (column <= 4 ? cell.padEnd(widths[column]) : cell.padStart(widths[column]))).join('  ');
  const rule = widths.map((width) => '-'.repeat(width)).join('  ');
  const failures = rows
    .filter((row) => row.result?.error)
    .map((row) => `  ${row.job}: ${row.result?.error}`);
  return [render(COLUMNS), rule, ...cells.map(render), ...(failures.length ? ['errors:', ...failures] : [])].join('\n');
}

function dataLabel(requested: string, result: PersistedResult): string {
  if (result.syntheticData && requested !== 'synthetic') return `synthetic (no ${requested} files)`;
  return result.dataSource || '-';
}

function shortId(id: string): string {
  return id.length > 12 ? `${id.slice(0, 8)}…` : id;
}
