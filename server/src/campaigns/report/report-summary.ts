// The report's first table: one row per cell (op or model × scheme × density) with what a reader asks first —
// the median speedup across devices and its spread next to the 1/density limit, the p50 latency, the best and
// worst device, memory saved, accuracy, and how many devices gave a valid result. Columns no cell fills are left
// out. Pure.
import { spreadOf, type Spread } from './cell-summary.js';
import { columnSpread, densityLimit, trainingTimeMs, validRows, type ReportCell } from './report-cells.js';
import { escapeHtml, formatMs, formatPercent, formatTimes } from './html-kit.js';

/** One rendered table cell: HTML (escaped), the exact number for `data-value`, and extra classes. */
export interface SummaryCell {
  readonly html: string;
  readonly value?: number | string;
  readonly className?: string;
  readonly title?: string;
}

interface SummaryColumn {
  readonly key: string;
  readonly header: string;
  readonly title: string;
  readonly numeric: boolean;
  readonly cell: (cell: ReportCell) => SummaryCell | null;
}

export const OVER_LIMIT_TITLE = 'above the 1/density limit: the sparse arithmetic alone cannot explain it (the baseline likely pays fixed overhead)';

const COLUMNS: readonly SummaryColumn[] = [
  { key: 'scheme', header: 'Scheme', title: 'sparsity scheme', numeric: false, cell: (c) => ({ html: escapeHtml(c.scheme) }) },
  { key: 'density', header: 'Density', title: 'fraction of weights kept', numeric: true, cell: (c) => (c.density === null ? null : { html: String(c.density), value: c.density }) },
  {
    key: 'speedup',
    header: 'Speedup (median)',
    title: 'baseline p50 / sparse p50, median over devices with a valid result',
    numeric: true,
    cell: speedupCell,
  },
  {
    key: 'limit',
    header: '1/density limit',
    title: 'the speedup the same arithmetic on density × the weights allows',
    numeric: true,
    cell: (c) => {
      const limit = densityLimit(c.density);
      return limit === null || !hasSpeedup(c) ? null : { html: formatTimes(limit), value: limit };
    },
  },
  {
    key: 'spread',
    header: 'Spread (min–max)',
    title: 'lowest and highest speedup over devices with a valid result',
    numeric: true,
    cell: (c) => spreadCell(c.summary.speedup, formatTimes),
  },
  {
    key: 'vsTfjs',
    header: 'vs tfjs',
    title: 'stock tfjs p50 / sparse p50, median over valid devices (a second, labelled figure)',
    numeric: true,
    cell: (c) => {
      const spread = columnSpread(validRows(c.rows), 'speedupVsTfjs');
      return spread === null ? null : { html: formatTimes(spread.median), value: spread.median };
    },
  },
  {
    key: 'p50',
    header: 'p50 latency',
    title: 'median over devices of each device’s p50 (kernel call or training step)',
    numeric: true,
    cell: (c) => {
      const spread = c.summary.latencyP50Ms;
      return spread === null ? null : { html: escapeHtml(formatMs(spread.median)), value: spread.median };
    },
  },
  { key: 'best', header: 'Best device', title: 'highest valid speedup', numeric: false, cell: (c) => deviceCell(c, 'best') },
  { key: 'worst', header: 'Worst device', title: 'lowest valid speedup', numeric: false, cell: (c) => deviceCell(c, 'worst') },
  {
    key: 'memorySaved',
    header: 'Memory saved',
    title: '1 − sparse model state / dense model state, median over valid devices',
    numeric: true,
    cell: (c) => (c.summary.memorySaved === null ? null : { html: formatPercent(c.summary.memorySaved), value: c.summary.memorySaved }),
  },
  {
    key: 'accuracy',
    header: 'Test accuracy',
    title: 'median over valid devices (range when devices differ)',
    numeric: true,
    cell: (c) => spreadCell(c.summary.testAccuracy, formatPercent, true),
  },
  {
    key: 'trainTime',
    header: 'Time to accuracy',
    title: 'wall time of the training run that reached that accuracy, median over valid devices',
    numeric: true,
    cell: (c) => {
      if (c.summary.testAccuracy === null) return null;
      const spread = spreadOf(validRows(c.rows).map(trainingTimeMs).filter((ms): ms is number => ms !== null));
      return spread === null ? null : { html: escapeHtml(formatMs(spread.median)), value: spread.median };
    },
  },
  {
    key: 'valid',
    header: 'Valid / devices',
    title: 'devices whose result met the run rules / devices with a result',
    numeric: true,
    cell: (c) => ({
      html: `${c.summary.validDevices}/${c.summary.devices}`,
      value: `${c.summary.validDevices}/${c.summary.devices}`,
      className: c.summary.validDevices < c.summary.devices ? 'some-invalid' : undefined,
    }),
  },
  {
    key: 'notes',
    header: 'Why not valid',
    title: 'the reasons given for results that are not valid',
    numeric: false,
    cell: (c) => {
      const reasons = [...new Set(c.rows.flatMap((row) => String(row.values.invalidReasons ?? '').split('; ')).filter((reason) => reason !== ''))];
      return reasons.length === 0 ? null : { html: escapeHtml(reasons.join('; ')), className: 'reasons' };
    },
  },
];

/** The table: a heading row per workload (op and shape, or model, method and batch size), then a row per cell. */
export function renderSummaryTable(cells: readonly ReportCell[]): string {
  const grid = COLUMNS.map((column) => ({ column, cells: cells.map((cell) => column.cell(cell)) })).filter((entry) =>
    entry.cells.some((cell) => cell !== null && cell.html !== ''),
  );
  const header = grid
    .map(({ column }) => `<th scope="col" data-column="${column.key}" title="${escapeHtml(column.title)}">${escapeHtml(column.header)}</th>`)
    .join('');
  const body = cells
    .map((cell, index) => {
      const tds = grid
        .map(({ column, cells: column_cells }) => {
          const entry = column_cells[index];
          const classes = [column.numeric ? 'number' : '', entry?.className ?? ''].filter(Boolean).join(' ');
          const attributes = [
            `data-column="${column.key}"`,
            classes ? `class="${classes}"` : '',
            entry?.value !== undefined ? `data-value="${escapeHtml(String(entry.value))}"` : '',
            entry?.title ? `title="${escapeHtml(entry.title)}"` : '',
          ].filter(Boolean);
          return `<td ${attributes.join(' ')}>${entry ? entry.html : '—'}</td>`;
        })
        .join('');
      const heading =
        index === 0 || cells[index - 1]!.workload !== cell.workload
          ? `<tr class="workload"><th scope="rowgroup" colspan="${grid.length}">${escapeHtml(cell.workload)}</th></tr>\n`
          : '';
      return `${heading}<tr data-cell="${escapeHtml(cell.summary.cellId)}">${tds}</tr>`;
    })
    .join('\n');
  return `<table id="summary" class="summary">
<thead><tr>${header}</tr></thead>
<tbody>
${body}
</tbody>
</table>`;
}

/** A speedup above the cell's 1/density limit. */
export function aboveLimit(speedup: number, density: number | null): boolean {
  const limit = densityLimit(density);
  return limit !== null && speedup > limit;
}

function hasSpeedup(cell: ReportCell): boolean {
  return cell.summary.speedup !== null || columnSpread(cell.rows, 'speedup') !== null;
}

function speedupCell(cell: ReportCell): SummaryCell | null {
  const valid = cell.summary.speedup;
  if (valid !== null) {
    const over = aboveLimit(valid.median, cell.density);
    return {
      html: `${over ? '<span class="marker" aria-hidden="true">▲</span> ' : ''}${formatTimes(valid.median)}`,
      value: valid.median,
      className: over ? 'over-limit' : undefined,
      title: over ? OVER_LIMIT_TITLE : undefined,
    };
  }
  // No valid result: the figure is still shown (a reader asks why), marked as not valid.
  const any = columnSpread(cell.rows, 'speedup');
  if (any === null) return null;
  const over = aboveLimit(any.median, cell.density);
  return {
    html: `${over ? '<span class="marker" aria-hidden="true">▲</span> ' : ''}${formatTimes(any.median)} <span class="not-valid">(not valid)</span>`,
    value: any.median,
    className: ['unverified', over ? 'over-limit' : ''].filter(Boolean).join(' '),
    title: over ? `no valid result; ${OVER_LIMIT_TITLE}` : 'no valid result: median over all results',
  };
}

function spreadCell(spread: Spread | null, format: (value: number) => string, medianFirst = false): SummaryCell | null {
  if (spread === null) return null;
  if (medianFirst) {
    const range = spread.min === spread.max ? '' : ` <span class="range">(${format(spread.min)}–${format(spread.max)})</span>`;
    return { html: `${format(spread.median)}${range}`, value: spread.median };
  }
  // "3.1–5.6×": the unit once, after the range.
  const low = format(spread.min).replace(/[×%]$/, '');
  return { html: spread.min === spread.max ? format(spread.min) : `${low}–${format(spread.max)}`, value: `${spread.min}-${spread.max}` };
}

function deviceCell(cell: ReportCell, which: 'best' | 'worst'): SummaryCell | null {
  const device = cell.summary[which];
  if (device === null) return null;
  const over = aboveLimit(device.value, cell.density);
  return {
    html: `${escapeHtml(device.deviceName)} <span class="figure${over ? ' over-limit-text' : ''}">${formatTimes(device.value)}</span>`,
    value: device.value,
    title: over ? OVER_LIMIT_TITLE : device.deviceId,
  };
}
