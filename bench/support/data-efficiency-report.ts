// Rows, table and verdict of the data-efficiency benchmark (bench/data-efficiency.ts).

/** 'random': the --random-control rows, a uniformly drawn set as large as the fraction rule's. */
export type RowSource = 'all' | 'single' | 'fleet' | 'random';

/** One trained run: the baseline on all data or a run on the examples a removal set keeps. Plain JSON fields. */
export interface DataEfficiencyRow {
  readonly model: string;
  readonly source: RowSource;
  /** Requested removal, percent of the examples trained on (0 for the baseline). */
  readonly removedPercent: number;
  readonly removedCount: number;
  readonly keptCount: number;
  readonly testAccuracy: number;
  /** testAccuracy − baseline's, in percentage points. */
  readonly deltaPt: number;
  readonly epochs: number;
  readonly steps: number;
  readonly examplesSeen: number;
  readonly wallMs: number;
  /** (baseline wall − this wall) / baseline wall, percent. */
  readonly wallSavingPercent: number;
  /** The process's CPU time for the run (user + system): less sensitive to other load than wall time. */
  readonly cpuMs: number;
  /** (baseline CPU − this CPU) / baseline CPU, percent. */
  readonly cpuSavingPercent: number;
  /**
   * Share of this set's ids that another set of the same fraction also removes, percent: single ↔ fleet; random rows
   * against the single-device set.
   */
  readonly overlapPercent?: number;
  readonly compute: string;
  readonly dataSource: string;
}

export function formatTable(rows: readonly DataEfficiencyRow[]): string {
  const header = ['model', 'source', 'removed', 'count', 'test acc', 'Δ vs all', 'epochs', 'examples seen', 'wall', 'saving', 'cpu', 'cpu saving', 'overlap'];
  const lines = rows.map((row) => [
    row.model,
    row.source,
    `${row.removedPercent} %`,
    String(row.removedCount),
    `${(row.testAccuracy * 100).toFixed(2)} %`,
    row.source === 'all' ? '-' : `${signed(row.deltaPt)} pt`,
    String(row.epochs),
    String(row.examplesSeen),
    `${(row.wallMs / 1000).toFixed(1)} s`,
    row.source === 'all' ? '-' : `${signed(row.wallSavingPercent, 1)} %`,
    `${(row.cpuMs / 1000).toFixed(1)} s`,
    row.source === 'all' ? '-' : `${signed(row.cpuSavingPercent, 1)} %`,
    row.overlapPercent === undefined ? '-' : `${row.overlapPercent.toFixed(1)} %`,
  ]);
  const widths = header.map((title, column) => Math.max(title.length, ...lines.map((line) => line[column].length)));
  const render = (cells: readonly string[]) => cells.map((cell, column) => cell.padEnd(widths[column])).join('  ');
  return [render(header), render(widths.map((width) => '-'.repeat(width))), ...lines.map(render)].join('\n');
}

/**
 * The targets for one model's rows: some set removing >= 25 % costs <= 0.5 pt, and the fleet-built set is at
 * least as good as the single-device one at every fraction.
 */
export function verdictLine(model: string, rows: readonly DataEfficiencyRow[]): string {
  const mine = rows.filter((row) => row.model === model && (row.source === 'single' || row.source === 'fleet'));
  const within = (source: RowSource) =>
    mine.filter((row) => row.source === source && row.removedPercent >= 25 && row.deltaPt >= -0.5).map((row) => row.removedPercent);
  const single = within('single');
  const fleet = within('fleet');
  const removalMet = single.length > 0 || fleet.length > 0;
  const fractions = [...new Set(mine.map((row) => row.removedPercent))].sort((a, b) => a - b);
  let fleetAtLeastAsGood = 0;
  const gaps: string[] = [];
  for (const percent of fractions) {
    const s = mine.find((row) => row.source === 'single' && row.removedPercent === percent);
    const f = mine.find((row) => row.source === 'fleet' && row.removedPercent === percent);
    if (s === undefined || f === undefined) continue;
    const gap = f.deltaPt - s.deltaPt;
    if (gap >= 0) fleetAtLeastAsGood++;
    gaps.push(`${percent} %: ${signed(gap)}`);
  }
  const removal = removalMet
    ? `met (<= 0.5 pt loss at ${describePercents(single)} single, ${describePercents(fleet)} fleet)`
    : 'missed (no set removing >= 25 % stays within 0.5 pt)';
  const comparison = `fleet >= single at ${fleetAtLeastAsGood} of ${gaps.length} fractions (fleet − single: ${gaps.join(', ')} pt)`;
  return `${model}: remove >= 25 % for <= 0.5 pt: ${removal}; ${comparison} → ${
    fleetAtLeastAsGood === gaps.length && gaps.length > 0 ? 'met' : 'missed'
  }`;
}

function describePercents(percents: readonly number[]): string {
  return percents.length === 0 ? 'none' : percents.map((percent) => `${percent} %`).join('/');
}

function signed(value: number, digits = 2): string {
  return `${value >= 0 ? '+' : '−'}${Math.abs(value).toFixed(digits)}`;
}
