// A terminal histogram of forgetting counts: one bar per count (or per range of counts when there are many), then
// the never-learned and uncovered examples, each with its count and its share of the data set. Bars are scaled so
// that the largest row fills the room the terminal leaves after the labels and numbers.
import type { HistogramBin } from './datastats-api.js';

export interface HistogramInput {
  /** Learned covered examples by forgetting count. */
  readonly histogram: readonly HistogramBin[];
  readonly neverLearned: number;
  readonly uncovered: number;
  /** Examples in the data set: the base of the percentages. */
  readonly size: number;
}

export interface HistogramOptions {
  /** Terminal width in columns (default 80); bars get what the labels and numbers leave, at least 10. */
  readonly width?: number;
  /** At most this many count rows; wider count ranges share a row (default 20). */
  readonly maxRows?: number;
}

interface Row {
  readonly label: string;
  readonly examples: number;
}

const BAR = '█';
const MIN_BAR_WIDTH = 10;

export function renderForgettingHistogram(input: HistogramInput, options: HistogramOptions = {}): string {
  const width = Math.max(40, Math.floor(options.width ?? 80));
  const rows: Row[] = [
    ...countRows(input.histogram, options.maxRows ?? 20),
    { label: 'never learned', examples: input.neverLearned },
    { label: 'uncovered', examples: input.uncovered },
  ];
  const labelWidth = Math.max(...rows.map((row) => row.label.length));
  const countWidth = Math.max(...rows.map((row) => String(row.examples).length));
  const percents = rows.map((row) => percent(row.examples, input.size));
  const percentWidth = Math.max(...percents.map((text) => text.length));
  // label + ' │' + bar + ' ' + count + '  ' + percent
  const barWidth = Math.max(MIN_BAR_WIDTH, width - labelWidth - 2 - 1 - countWidth - 2 - percentWidth);
  const largest = Math.max(1, ...rows.map((row) => row.examples));
  const lines = rows.map((row, index) => {
    const length = row.examples === 0 ? 0 : Math.max(1, Math.round((row.examples / largest) * barWidth));
    const bar = BAR.repeat(length).padEnd(barWidth);
    return `${row.label.padStart(labelWidth)} │${bar} ${String(row.examples).padStart(countWidth)}  ${percents[index]!.padStart(percentWidth)}`;
  });
  const header = `${'forgetting count'.padStart(labelWidth)} │ examples (share of ${input.size})`;
  return [header, ...lines].join('\n');
}

/** One row per count from 0 to the largest, or per range of counts when that would be more than `maxRows`. */
function countRows(histogram: readonly HistogramBin[], maxRows: number): Row[] {
  if (histogram.length === 0) return [];
  const highest = Math.max(...histogram.map((bin) => bin.forgettingCount));
  const span = Math.max(1, Math.ceil((highest + 1) / Math.max(1, maxRows)));
  const rowCount = Math.floor(highest / span) + 1;
  const examples = new Array<number>(rowCount).fill(0);
  for (const bin of histogram) examples[Math.floor(bin.forgettingCount / span)]! += bin.examples;
  return examples.map((count, row) => {
    const low = row * span;
    const high = Math.min(highest, low + span - 1);
    return { label: low === high ? String(low) : `${low}-${high}`, examples: count };
  });
}

function percent(examples: number, size: number): string {
  if (size <= 0) return '-';
  return `${((examples / size) * 100).toFixed(1)}%`;
}
