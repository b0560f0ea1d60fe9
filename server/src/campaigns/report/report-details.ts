// The report's full rows, per device and collapsed: the device's facts that every one of its results shares as a
// short list, then its results in narrow tables (the cell and its validity; timing; memory, accuracy and device
// conditions), each listing only the columns some row fills. Each table cell carries the exact stored value in
// `data-value`; the visible text is rounded and given units for reading. Pure.
import { csvText } from './report-csv.js';
import type { CampaignReport, ReportRow, ReportValue } from './report-data.js';
import { groupBy, type ReportCell } from './report-cells.js';
import { displayNumber, escapeHtml, formatBytes, formatPercent, formatTimes, significant } from './html-kit.js';

/** Columns that describe the device, the agent on it or how it measured; listed once per device when all its
 *  results agree (else they stay in the tables). */
const SHARED_COLUMNS = new Set([
  'deviceId', 'deviceName', 'platform', 'arch', 'cpuModel', 'deviceModel', 'cores', 'memoryBytes', 'runtime',
  'wasmSimd', 'wasmThreads', 'backend', 'compute', 'agentVersion', 'agentCommit',
  'baseline', 'threads', 'baselineThreads', 'tfjsThreads', 'runRules',
]);

type DetailGroup = 'run' | 'timing' | 'baselines' | 'memory';

const GROUP_TITLES: Readonly<Record<DetailGroup, string>> = {
  run: 'Cells and validity',
  timing: 'Timing of the sparse side',
  baselines: 'Baselines and speedups',
  memory: 'Memory, accuracy and device conditions',
};

/** The most value columns one table holds (besides the cell): more are split over tables, so none is too wide. */
export const MAX_DETAIL_COLUMNS = 10;

export function detailGroupOf(column: string): DetailGroup {
  if (/Bytes$|[aA]ccuracy|Temperature|Battery|LoadAverage|^drift/.test(column)) return 'memory';
  if (/^denseLatency|^tfjsLatency|[sS]peedup|Path$|^baseline|^tfjs/.test(column)) return 'baselines';
  if (/Ms$|[lL]atency|^gflops$|^iterations$|[tT]hreads$/.test(column)) return 'timing';
  return 'run';
}

/** Measured figures that results store as 0 when they were not measured (a kernel has no model state, a training
 *  run no speedup, an agent without sensors no thread count). */
const ZERO_IS_UNMEASURED = /Ms$|Bytes$|^speedup|^gflops$|[tT]hreads$|^cores$|^driftSamples$/;

/** A value that says nothing: null, '', or 0 in a column where 0 means "not measured". A column holding only
 *  these is not shown. */
export function isEmptyValue(column: string, value: ReportValue | undefined): boolean {
  return value === null || value === undefined || value === '' || (value === 0 && ZERO_IS_UNMEASURED.test(column));
}

export function renderDeviceDetails(report: CampaignReport, cells: readonly ReportCell[]): string {
  const ordered = cells.flatMap((cell) => cell.rows);
  const listed = new Set(ordered);
  // Rows of cells the summary does not know (none today) still appear, after the others.
  const rows = [...ordered, ...report.rows.filter((row) => !listed.has(row))];
  const devices = groupBy(rows, (row) => String(row.values.deviceId));
  return devices.map(({ key, items }) => deviceSection(key, items, report.columns)).join('\n');
}

function deviceSection(deviceId: string, rows: readonly ReportRow[], columns: readonly string[]): string {
  const filled = columns.filter((column) => rows.some((row) => !isEmptyValue(column, row.values[column])));
  const shared = filled.filter((column) => SHARED_COLUMNS.has(column) && rows.every((row) => csvText(row.values[column] ?? null) === csvText(rows[0]!.values[column] ?? null)));
  const first = rows[0]!.values;
  const valid = rows.filter((row) => row.values.valid === true).length;
  const headline = [
    first.platform && first.arch ? `${String(first.platform)} ${String(first.arch)}` : '',
    first.cpuModel ? String(first.cpuModel) : '',
    typeof first.cores === 'number' ? `${first.cores} cores` : '',
    first.backend ? String(first.backend) : '',
    `${rows.length} result${rows.length === 1 ? '' : 's'}, ${valid} valid`,
  ].filter(Boolean);
  const facts = shared
    .map((column) => {
      const value = first[column] ?? null;
      const shown = displayValue(column, value);
      return `<div><dt>${escapeHtml(columnHeader(column))}</dt><dd data-column="${escapeHtml(column)}"${isToken(shown) ? ' class="token"' : ''} data-value="${escapeHtml(csvText(value))}">${escapeHtml(shown)}</dd></div>`;
    })
    .join('');
  const rest = filled.filter((column) => !shared.includes(column) && column !== 'cell');
  const tables = (Object.keys(GROUP_TITLES) as DetailGroup[])
    .flatMap((group) => {
      const groupColumns = rest.filter((column) => detailGroupOf(column) === group);
      const parts = Math.ceil(groupColumns.length / MAX_DETAIL_COLUMNS);
      return Array.from({ length: parts }, (_, part) => {
        const slice = groupColumns.slice(part * MAX_DETAIL_COLUMNS, (part + 1) * MAX_DETAIL_COLUMNS);
        const title = parts > 1 ? `${GROUP_TITLES[group]} (${part + 1}/${parts})` : GROUP_TITLES[group];
        return detailTable(title, group, columns.includes('cell') ? ['cell', ...slice] : slice, rows);
      });
    })
    .join('\n');
  return `<details class="device" data-device="${escapeHtml(deviceId)}">
<summary><strong>${escapeHtml(String(first.deviceName ?? deviceId))}</strong> <span class="headline">${escapeHtml(headline.join(' · '))}</span></summary>
${facts ? `<dl class="facts">${facts}</dl>` : ''}
${tables}
</details>`;
}

function detailTable(title: string, group: DetailGroup, columns: readonly string[], rows: readonly ReportRow[]): string {
  const header = columns.map((column) => `<th scope="col" data-column="${escapeHtml(column)}" title="${escapeHtml(column)}">${escapeHtml(columnHeader(column))}</th>`).join('');
  const body = rows
    .map((row) => {
      const cells = columns
        .map((column) => {
          const value = row.values[column] ?? null;
          const shown = isEmptyValue(column, value) ? '—' : displayValue(column, value);
          const className = typeof value === 'number' ? 'number' : isToken(shown) ? 'token' : '';
          return `<td data-column="${escapeHtml(column)}"${className ? ` class="${className}"` : ''} data-value="${escapeHtml(csvText(value))}">${escapeHtml(shown)}</td>`;
        })
        .join('');
      return `<tr class="${row.values.valid === true ? 'valid' : 'invalid'}">${cells}</tr>`;
    })
    .join('\n');
  return `<table class="details" data-group="${group}">
<caption>${escapeHtml(title)}</caption>
<thead><tr>${header}</tr></thead>
<tbody>
${body}
</tbody>
</table>`;
}

/** A readable column header: "denseLatencyP50Ms" → "dense latency p50 (ms)", "peakMemoryBytes" → "peak memory". */
export function columnHeader(column: string): string {
  const percentile = /^(.*)P(\d+(?:_\d+)?)Ms$/.exec(column);
  if (percentile) return `${words(percentile[1]!)} p${percentile[2]!.replace('_', '.')} (ms)`;
  const spaced = words(column);
  if (/Ms$/.test(column)) return `${spaced.replace(/ ms$/, '')} (ms)`;
  if (/Bytes$/.test(column)) return spaced.replace(/ bytes$/, '');
  if (/TemperatureC$/.test(column)) return `${spaced.replace(/ c$/, '')} (°C)`;
  return spaced;
}

/** The visible text of a value: units for bytes, ×, %, dates without the milliseconds; booleans as yes/no. */
export function displayValue(column: string, value: ReportValue): string {
  if (value === null) return '';
  if (typeof value === 'boolean') return value ? 'yes' : 'no';
  if (typeof value === 'string') {
    if (/At$/.test(column) && /^\d{4}-\d\d-\d\dT/.test(value)) return value.replace('T', ' ').replace(/\.\d+Z$/, 'Z');
    return value;
  }
  if (/Bytes$/.test(column)) return formatBytes(value);
  if (/^speedup/.test(column)) return formatTimes(value);
  if (/[aA]ccuracy$|BatteryLevel$/.test(column)) return formatPercent(value);
  return Number.isInteger(value) ? displayNumber(value) : significant(value);
}

/** A long text with nowhere to wrap (an id, a commit): allowed to break anywhere so it cannot widen the page. */
function isToken(text: string): boolean {
  return text.length > 16 && !/\s/.test(text);
}

function words(camel: string): string {
  return camel
    .replace(/([a-z0-9])([A-Z])/g, '$1 $2')
    .replace(/([A-Z])([A-Z][a-z])/g, '$1 $2')
    .toLowerCase();
}
