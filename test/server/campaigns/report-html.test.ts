// The HTML report's layout: the summary table first (one row per cell, median speedup with its spread next to the
// 1/density limit, best and worst device, memory saved, accuracy; no empty columns), then the charts (what each
// plots, from the summary's numbers; a figure without numbers is not drawn), then the per-device details
// (collapsed, only filled columns). The charts script runs in a stub DOM here; test/browser runs it in Chromium.
import { runInNewContext } from 'node:vm';
import { describe, expect, it } from 'vitest';
import { BenchmarkResult, withDefaults } from '../../../protocol/src/index.js';
import { expandMatrix } from '../../../server/src/campaigns/campaign-matrix.js';
import { parseCampaignSpec, type CampaignSpecInput } from '../../../server/src/campaigns/campaign-spec.js';
import { snapshotDevice, type CampaignResultView } from '../../../server/src/campaigns/campaign-views.js';
import { summarizeCells } from '../../../server/src/campaigns/report/cell-summary.js';
import type { BarChart, ReportChart, XyChart } from '../../../server/src/campaigns/report/report-charts.js';
import { REPORT_CHARTS_SCRIPT } from '../../../server/src/campaigns/report/report-charts-script.js';
import { buildReport, type CampaignReport } from '../../../server/src/campaigns/report/report-data.js';
import { csvText } from '../../../server/src/campaigns/report/report-csv.js';
import { columnHeader, isEmptyValue, MAX_DETAIL_COLUMNS } from '../../../server/src/campaigns/report/report-details.js';
import { escapeHtml } from '../../../server/src/campaigns/report/html-kit.js';
import { extractEmbeddedCharts, extractEmbeddedReport, renderReportHtml } from '../../../server/src/campaigns/report/report-html.js';
import { DEVICES, kernelReport, trainingRunReport, trainingStepReport } from '../../browser/report-fixtures.js';

interface Table {
  readonly id: string | null;
  readonly className: string | null;
  readonly header: string[];
  /** Body rows; a row of one cell spanning the table (a heading) has `heading` set instead. */
  readonly rows: Array<{ heading: string | null; cells: Array<{ text: string; attributes: string }> }>;
}

const text = (html: string) =>
  html.replace(/<[^>]*>/g, '').replace(/&lt;/g, '<').replace(/&gt;/g, '>').replace(/&quot;/g, '"').replace(/&amp;/g, '&').trim();

function tablesOf(html: string): Table[] {
  return [...html.matchAll(/<table([^>]*)>([\s\S]*?)<\/table>/g)].map(([, attributes, inner]) => {
    const [head = '', body = ''] = [/<thead>([\s\S]*?)<\/thead>/.exec(inner!)?.[1], /<tbody>([\s\S]*?)<\/tbody>/.exec(inner!)?.[1]];
    return {
      id: /id="([^"]*)"/.exec(attributes!)?.[1] ?? null,
      className: /class="([^"]*)"/.exec(attributes!)?.[1] ?? null,
      header: [...head.matchAll(/<th[^>]*>([\s\S]*?)<\/th>/g)].map((match) => text(match[1]!)),
      rows: [...body.matchAll(/<tr[^>]*>([\s\S]*?)<\/tr>/g)].map(([, row]) => {
        const heading = /<th[^>]*colspan[^>]*>([\s\S]*?)<\/th>/.exec(row!);
        return {
          heading: heading ? text(heading[1]!) : null,
          cells: heading ? [] : [...row!.matchAll(/<td([^>]*)>([\s\S]*?)<\/td>/g)].map((match) => ({ attributes: match[1]!, text: text(match[2]!) })),
        };
      }),
    };
  });
}

function summaryTable(html: string): Table {
  return tablesOf(html).find((table) => table.id === 'summary')!;
}

/** Header names of columns in which no body row has a value ('' and '—' are no value). */
function emptyColumns(table: Table): string[] {
  const rows = table.rows.filter((row) => row.heading === null);
  return table.header.filter((_, index) => rows.every((row) => ['', '—'].includes(row.cells[index]?.text ?? '')));
}

function cellValue(table: Table, rowIndex: number, header: string): { text: string; attributes: string } {
  const rows = table.rows.filter((row) => row.heading === null);
  return rows[rowIndex]!.cells[table.header.indexOf(header)]!;
}

interface DrawnChart {
  readonly id: string;
  readonly config: {
    type: string;
    data: { labels?: string[]; datasets: Array<{ label: string; style?: string; borderDash?: number[]; stack?: string; data: unknown[] }> };
    options: { scales: { x: { stacked?: boolean }; y: { type?: string; stacked?: boolean } } };
  };
}

/** Runs the page's chart script against a stub DOM and chart.js; returns what it asked chart.js to draw. */
function drawCharts(html: string): DrawnChart[] {
  const charts = extractEmbeddedCharts(html);
  const drawn: DrawnChart[] = [];
  const document = {
    getElementById: (id: string) => (id === 'report-charts' ? { textContent: JSON.stringify(charts) } : html.includes(`<canvas id="${id}"`) ? { id } : null),
  };
  function Chart(canvas: { id: string }, config: DrawnChart['config']) {
    drawn.push({ id: canvas.id, config });
  }
  runInNewContext(REPORT_CHARTS_SCRIPT, { document, Chart, JSON, Math, Number, String, parseInt, isFinite });
  return drawn;
}

function reportFor(input: CampaignSpecInput, benchmarkOf: (density: number) => Partial<BenchmarkResult>, valid = () => true): CampaignReport {
  const spec = parseCampaignSpec(input);
  const results: CampaignResultView[] = expandMatrix(spec).map((cell, index) => ({
    cellId: cell.id,
    jobId: `job-${index}`,
    deviceId: 'dev-1',
    attempt: 1,
    jobState: 'succeeded',
    valid: valid(),
    reasons: valid() ? [] : ['minimum duration not met: 10 ms of 200 ms'],
    benchmark: withDefaults('sparsefleet.v1.BenchmarkResult', { cellId: cell.id, testAccuracy: -1, ...benchmarkOf(cell.params.density) }),
    device: snapshotDevice(undefined, 'dev-1'),
    error: null,
    recordedAt: '2026-01-01T00:00:00.000Z',
  }));
  return buildReport({ id: 'camp', name: input.name, measure: spec.measure, state: 'completed', createdAt: '2026-01-01T00:00:00.000Z', finishedAt: null, spec, results });
}

const xy = (chart: ReportChart) => chart as XyChart;
const escapeRegExp = (text: string) => text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');

describe('renderReportHtml', () => {
  describe('summary', () => {
    it('should come first: a row per cell under a heading per op and shape, before the charts and the details', () => {
      const html = renderReportHtml(kernelReport());
      const summary = summaryTable(html);

      expect(html.indexOf('<table id="summary"')).toBeGreaterThan(-1);
      expect(html.indexOf('<table id="summary"')).toBeLessThan(html.indexOf('<canvas'));
      expect(html.indexOf('<canvas')).toBeLessThan(html.indexOf('<details'));
      expect(summary.rows.filter((row) => row.heading !== null).map((row) => row.heading)).toEqual(['linear-forward 64×784×300', 'linear-forward 32×128×128']);
      expect(summary.rows.filter((row) => row.heading === null)).toHaveLength(16);
      // Kernels have no model state or accuracy: those columns are not there at all.
      expect(summary.header).toEqual([
        'Scheme', 'Density', 'Speedup (median)', '1/density limit', 'Spread (min–max)', 'vs tfjs', 'p50 latency', 'Best device', 'Worst device', 'Valid / devices', 'Why not valid',
      ]);
      expect(emptyColumns(summary)).toEqual([]);
      expect(html).toContain('speedup = baseline p50 / sparse p50, baseline dense-simd-kernel');
    });

    it('should give the median speedup across devices with its min–max spread, the 1/density limit and the best and worst device', () => {
      const report = kernelReport();
      const summary = summaryTable(renderReportHtml(report));
      // Row 7: 64×784×300, block, d=0.05 (schemes in matrix order, densities high to low).
      const cell = summarizeCells(report).find((entry) => entry.params.shape === '64x784x300' && entry.params.scheme === 'block' && entry.params.density === 0.05)!;

      expect(cellValue(summary, 7, 'Scheme').text).toBe('block');
      expect(cellValue(summary, 7, 'Density').text).toBe('0.05');
      expect(cellValue(summary, 7, 'Speedup (median)').attributes).toContain(`data-value="${cell.speedup!.median}"`);
      expect(cellValue(summary, 7, 'Speedup (median)').text).toMatch(/^\d+(\.\d+)?×$/);
      expect(cellValue(summary, 7, '1/density limit').text).toBe('20×');
      expect(cellValue(summary, 7, 'Spread (min–max)').attributes).toContain(`data-value="${cell.speedup!.min}-${cell.speedup!.max}"`);
      expect(cellValue(summary, 7, 'Best device').text).toContain(cell.best!.deviceName);
      expect(cellValue(summary, 7, 'Worst device').text).toContain(cell.worst!.deviceName);
      expect(cellValue(summary, 7, 'p50 latency').text).toMatch(/ ms$/);
      // The stock tfjs figure is a second, labelled column: median over valid devices of speedupVsTfjs.
      const vsTfjs = report.rows
        .filter((row) => row.values.cellId === cell.cellId && row.values.valid === true)
        .map((row) => row.values.speedupVsTfjs as number)
        .sort((a, b) => a - b);
      expect(cellValue(summary, 7, 'vs tfjs').attributes).toContain(`data-value="${vsTfjs[1]}"`);
      expect(cellValue(summary, 7, 'Valid / devices').text).toBe('3/3');
    });

    it('should count valid devices and give the reasons where a result is not valid', () => {
      const summary = summaryTable(renderReportHtml(kernelReport()));
      // Row 11: 32×128×128 irregular d=0.05, where the phone's 37× result is not valid.
      expect(cellValue(summary, 11, 'Valid / devices')).toMatchObject({ text: '2/3', attributes: expect.stringContaining('some-invalid') });
      expect(cellValue(summary, 11, 'Why not valid').text).toContain('above 1.1 × 1/density');
      expect(cellValue(summary, 11, 'Best device').text).not.toContain('37×');
      // The Pi missed one cell: two devices there, both valid.
      expect(cellValue(summary, 15, 'Valid / devices').text).toBe('2/2');
    });

    it('should highlight a median speedup above 1/density, and still show a speedup that no valid result backs, marked', () => {
      const overLimit = reportFor(
        { name: 'k', measure: 'kernel', matrix: { op: 'linear-forward', shape: [[32, 128, 128]], scheme: 'irregular', density: [0.5, 0.05] } },
        (density) => ({ speedup: density === 0.05 ? 37 : 1.5 }),
      );
      const summary = summaryTable(renderReportHtml(overLimit));
      expect(cellValue(summary, 0, 'Speedup (median)')).toEqual({ text: '1.5×', attributes: expect.not.stringContaining('over-limit') });
      expect(cellValue(summary, 1, 'Speedup (median)').text).toBe('▲ 37×');
      expect(cellValue(summary, 1, 'Speedup (median)').attributes).toContain('over-limit');
      expect(cellValue(summary, 1, 'Speedup (median)').attributes).toMatch(/title="above the 1\/density limit/);
      expect(cellValue(summary, 1, 'Best device').attributes).toMatch(/title="above the 1\/density limit/);

      const invalid = reportFor(
        { name: 'k', measure: 'kernel', matrix: { op: 'linear-forward', shape: [[32, 128, 128]], density: 0.1 } },
        () => ({ speedup: 4 }),
        () => false,
      );
      const unverified = summaryTable(renderReportHtml(invalid));
      expect(cellValue(unverified, 0, 'Speedup (median)')).toMatchObject({ text: '4× (not valid)', attributes: expect.stringContaining('unverified') });
      expect(unverified.header).not.toContain('Best device');
      expect(cellValue(unverified, 0, 'Valid / devices').text).toBe('0/1');
      expect(cellValue(unverified, 0, 'Why not valid').text).toBe('minimum duration not met: 10 ms of 200 ms');
    });

    it('should give memory saved, test accuracy and time to accuracy for training cells, and no speedup columns when none was measured', () => {
      const summary = summaryTable(renderReportHtml(trainingRunReport()));

      expect(summary.header).toEqual(['Scheme', 'Density', 'p50 latency', 'Memory saved', 'Test accuracy', 'Time to accuracy', 'Valid / devices']);
      expect(summary.rows.filter((row) => row.heading !== null).map((row) => row.heading)).toEqual(['mlp static b=64', 'mlp set b=64', 'mlp rigl b=64']);
      // d=0.1 keeps 1.5 × 0.1 of the dense state: 85 % saved.
      expect(cellValue(summary, 1, 'Memory saved').text).toBe('85%');
      expect(cellValue(summary, 1, 'Test accuracy').text).toMatch(/^\d\d%$/);
      expect(cellValue(summary, 1, 'Time to accuracy').text).toMatch(/^\d\.\d+ s$/);
      expect(emptyColumns(summary)).toEqual([]);
    });
  });

  describe('charts', () => {
    it('should plot speedup vs density per scheme with the 1/density limit, latency per device and memory for a kernel campaign', () => {
      const report = kernelReport();
      const charts = extractEmbeddedCharts(renderReportHtml(report));

      expect(charts.map((chart) => `${chart.section}: ${chart.title}`)).toEqual([
        'speedup: linear-forward 64×784×300',
        'speedup: linear-forward 32×128×128',
        'latency: linear-forward 64×784×300',
        'latency: linear-forward 32×128×128',
        'memory: linear-forward 64×784×300: peak memory of the agent process',
        'memory: linear-forward 32×128×128: peak memory of the agent process',
      ]);
      const speedup = xy(charts[0]!);
      const limit = speedup.series.find((series) => series.style === 'limit')!;
      expect(limit.label).toBe('1/density limit');
      for (const density of [0.05, 0.1, 0.2, 0.5]) expect(limit.points).toContainEqual(expect.objectContaining({ x: density, y: 1 / density }));
      for (const point of limit.points) expect(point.y).toBeCloseTo(1 / point.x, 12);

      const summaries = summarizeCells(report).filter((cell) => cell.params.shape === '64x784x300' && cell.params.scheme === 'block');
      const block = speedup.series.find((series) => series.label === 'block' && series.style === 'line')!;
      expect(block.points.map((point) => [point.x, point.y])).toEqual(summaries.map((cell) => [cell.params.density, cell.speedup!.median]));
      expect(speedup.series.filter((series) => series.style === 'band-low' || series.style === 'band-high').map((series) => series.label)).toEqual([
        'irregular min', 'irregular max', 'block min', 'block max',
      ]);
      // The result that is not valid is drawn as such, where it is: above the limit.
      expect(xy(charts[1]!).series.find((series) => series.style === 'invalid')).toMatchObject({ label: 'irregular (not valid)', points: [{ x: 0.05, y: 37 }] });
    });

    it('should shade each device’s latency bar up to its p50, p90 and p99', () => {
      const report = kernelReport();
      const latency = extractEmbeddedCharts(renderReportHtml(report)).find((chart) => chart.section === 'latency') as BarChart;

      expect(latency.categories).toEqual(['irregular d=0.5', 'irregular d=0.2', 'irregular d=0.1', 'irregular d=0.05', 'block d=0.5', 'block d=0.2', 'block d=0.1', 'block d=0.05']);
      expect(latency.segments.map((segment) => segment.label)).toEqual(
        DEVICES.flatMap((device) => [50, 90, 99].map((p) => `${device.displayName} p${p}`)),
      );
      const row = report.rows.find((entry) => entry.values.deviceId === 'dev-pi' && entry.values.shape === '64x784x300' && entry.values.scheme === 'block' && entry.values.density === 0.1)!;
      const segments = latency.segments.filter((segment) => segment.stack === 'dev-pi');
      const stacked = segments.map((segment) => segment.values[6]!).reduce<number[]>((sums, value) => [...sums, (sums.at(-1) ?? 0) + value], []);
      expect(stacked[0]).toBeCloseTo(row.values.latencyP50Ms as number, 9);
      expect(stacked[1]).toBeCloseTo(row.values.latencyP90Ms as number, 9);
      expect(stacked[2]).toBeCloseTo(row.values.latencyP99Ms as number, 9);
      expect(segments[2]!.notes[6]).toMatch(/^Raspberry Pi 5 p99: [\d.]+ ms$/);
      expect(segments.map((segment) => segment.legend)).toEqual([true, false, false]);
    });

    it('should plot model state against the dense state, and drift, for a training-step campaign, and no accuracy chart', () => {
      const charts = extractEmbeddedCharts(renderReportHtml(trainingStepReport()));

      expect(charts.map((chart) => `${chart.section}: ${chart.title}`)).toEqual([
        'speedup: mlp static b=32',
        'speedup: cnn static b=32',
        'latency: mlp static b=32',
        'latency: cnn static b=32',
        'memory: mlp static b=32: model state',
        'memory: cnn static b=32: model state',
        'drift: mlp static b=32',
        'drift: cnn static b=32',
      ]);
      const memory = xy(charts[4]!);
      expect(memory.yLabel).toBe('model state (MiB)');
      expect(memory.series.map((series) => series.label)).toEqual(['irregular', 'block', 'dense model state']);
      expect(memory.series[2]!.points.map((point) => point.y)).toEqual([1_070_000 / 1024 ** 2, 1_070_000 / 1024 ** 2, 1_070_000 / 1024 ** 2]);
      expect(xy(charts[6]!).series).toHaveLength(12);
      expect(xy(charts[6]!).legend).toBe(false);
    });

    it('should plot test accuracy vs density and time to accuracy per method for a training-run campaign, and no speedup chart', () => {
      const report = trainingRunReport();
      const charts = extractEmbeddedCharts(renderReportHtml(report));

      expect(charts.map((chart) => `${chart.section}: ${chart.title}`)).toEqual([
        'latency: mlp b=64',
        'memory: mlp b=64: model state',
        'accuracy: mlp b=64',
        'time-to-accuracy: mlp b=64',
        // The fixture's cells report their masks (report-masks.test.ts checks these two).
        'masks: ITOP exploration rate',
        'masks: Mask churn per update',
      ]);
      const accuracy = xy(charts[2]!);
      expect(accuracy.series.map((series) => series.label)).toEqual(['static · irregular', 'set · irregular', 'rigl · irregular']);
      const rigl = report.rows.filter((row) => row.values.method === 'rigl');
      expect(accuracy.series[2]!.points.map((point) => [point.x, point.y])).toEqual(
        [0.05, 0.1, 0.2].map((density) => [density, (rigl.find((row) => row.values.density === density)!.values.testAccuracy as number) * 100]),
      );
      const time = xy(charts[3]!);
      const row = rigl.find((entry) => entry.values.density === 0.1)!;
      expect(time.series[2]!.points).toContainEqual(expect.objectContaining({ x: (row.values.durationMs as number) / 1000, y: (row.values.testAccuracy as number) * 100 }));
    });

    it('should draw nothing for a figure the campaign has no numbers for', () => {
      const report = reportFor({ name: 'empty', measure: 'kernel', matrix: { op: 'linear-forward', shape: [[2, 2, 2]], density: 1 } }, () => ({}));
      const html = renderReportHtml(report);
      expect(extractEmbeddedCharts(html)).toEqual([]);
      expect(html).not.toContain('<canvas');
      expect(html).not.toContain('id="charts-heading"');
    });

    it('should hand chart.js a dataset with points for every series, the limit dashed and the latency bars stacked per device', () => {
      for (const report of [kernelReport(), trainingStepReport(), trainingRunReport()]) {
        const html = renderReportHtml(report);
        const drawn = drawCharts(html);
        expect(drawn.map((chart) => chart.id)).toEqual(extractEmbeddedCharts(html).map((chart) => chart.id));
        for (const chart of drawn) {
          expect(chart.config.data.datasets.length).toBeGreaterThan(0);
          for (const dataset of chart.config.data.datasets) expect(dataset.data.filter((point) => point !== null).length, `${chart.id} ${dataset.label}`).toBeGreaterThan(0);
        }
      }
      const kernel = drawCharts(renderReportHtml(kernelReport()));
      expect(kernel[0]!.config.data.datasets.find((dataset) => dataset.label === '1/density limit')!.borderDash).toEqual([6, 4]);
      expect(kernel[0]!.config.options.scales.y.type).toBe('logarithmic');
      expect(kernel[2]!.config.type).toBe('bar');
      expect(kernel[2]!.config.options.scales.x.stacked).toBe(true);
      expect(new Set(kernel[2]!.config.data.datasets.map((dataset) => dataset.stack))).toEqual(new Set(['dev-pixel', 'dev-laptop', 'dev-pi']));
    });
  });

  describe('per-device details', () => {
    it('should list every row per device, collapsed, with the device facts once and only columns some row fills', () => {
      const report = kernelReport();
      const html = renderReportHtml(report);

      const sections = [...html.matchAll(/<details class="device" data-device="([^"]*)">([\s\S]*?)<\/details>/g)];
      expect(sections.map((section) => section[1])).toEqual(['dev-pixel', 'dev-laptop', 'dev-pi']);
      expect(html).not.toMatch(/<details[^>]* open/);
      const [, , pi] = sections;
      expect(pi![2]).toContain('<dt>cpu model</dt><dd data-column="cpuModel" data-value="Cortex-A76">Cortex-A76</dd>');
      const tables = tablesOf(pi![2]!);
      expect([...pi![2]!.matchAll(/<caption>([^<]*)<\/caption>/g)].map((match) => match[1])).toEqual([
        'Cells and validity', 'Timing of the sparse side', 'Baselines and speedups', 'Memory, accuracy and device conditions',
      ]);
      // Agent facts all of the Pi's results share are listed once, not repeated per row.
      expect(pi![2]).toMatch(/<dt>baseline<\/dt><dd data-column="baseline"[^>]* data-value="dense-simd-kernel">dense-simd-kernel<\/dd>/);
      expect(tables.flatMap((table) => table.header)).not.toContain('baseline');
      for (const table of tables) {
        expect(table.rows).toHaveLength(report.rows.filter((row) => row.values.deviceId === 'dev-pi').length);
        expect(table.header[0]).toBe('cell');
        expect(emptyColumns(table), table.header.join(', ')).toEqual([]);
      }
      const shown = tables.flatMap((table) => table.header);
      // Kernel cells train no model; the Pi reports no temperature and all its results are valid.
      for (const column of ['model', 'method', 'batchSize', 'testAccuracy', 'modelStateBytes', 'startTemperatureC', 'invalidReasons']) expect(shown).not.toContain(columnHeader(column));
      for (const column of ['latencyP99Ms', 'denseLatencyP50Ms', 'speedup', 'peakMemoryBytes', 'recordedAt']) expect(shown).toContain(columnHeader(column));
      // The phone reports temperature and battery and has a result that is not valid; its details show them.
      expect(tablesOf(sections[0]![2]!).flatMap((table) => table.header)).toEqual(
        expect.arrayContaining(['start temperature (°C)', 'end battery level', 'invalid reasons']),
      );
    });

    it('should hold every value each row has, exactly, in its device’s details', () => {
      for (const report of [kernelReport(), trainingStepReport(), trainingRunReport()]) {
        const html = renderReportHtml(report);
        const sections = new Map([...html.matchAll(/<details class="device" data-device="([^"]*)">([\s\S]*?)<\/details>/g)].map((match) => [match[1]!, match[2]!]));
        for (const row of report.rows) {
          const section = sections.get(String(row.values.deviceId))!;
          for (const column of report.columns) {
            const value = row.values[column];
            if (isEmptyValue(column, value ?? null)) continue;
            const exact = `data-column="${column}"[^>]*data-value="${escapeRegExp(escapeHtml(csvText(value ?? null)))}"`;
            expect(section, `${String(row.values.deviceId)} ${column}`).toMatch(new RegExp(exact));
          }
        }
        // Row by row: each device's tables have one row per result.
        for (const [deviceId, section] of sections) {
          const rows = report.rows.filter((row) => row.values.deviceId === deviceId);
          for (const table of tablesOf(section)) expect(table.rows).toHaveLength(rows.length);
        }
      }
    });

    it('should split a group of more columns than fit the page over several tables, each with the cell first', () => {
      const percentiles = [50, 75, 90, 95, 99, 99.9];
      const list = (base: number) => percentiles.map((percentile, index) => ({ percentile, value: base * (1 + index / 10) }));
      const report = reportFor(
        { name: 'many', measure: 'kernel', matrix: { op: 'linear-forward', shape: [[8, 8, 8]], density: [0.5, 0.25] }, runRules: { percentiles } },
        () => ({ latencyMs: list(1), denseLatencyMs: list(2), tfjsLatencyMs: list(3), speedup: 2, speedupVsTfjs: 3, baselinePath: 'dense GEMM', tfjsPath: 'matMul' }),
      );
      const html = renderReportHtml(report);
      const tables = tablesOf(html).filter((table) => table.className === 'details');
      expect([...html.matchAll(/<caption>([^<]*)<\/caption>/g)].map((match) => match[1])).toContain('Baselines and speedups (2/2)');
      for (const table of tables) {
        expect(table.header[0]).toBe('cell');
        expect(table.header.length).toBeLessThanOrEqual(MAX_DETAIL_COLUMNS + 1);
      }
      // 6 dense + 6 tfjs percentiles, two speedups, two paths: 16 columns in two tables.
      const baselines = tables.flatMap((table) => table.header.slice(1)).filter((header) => /^dense|^tfjs|speedup|path$/.test(header));
      expect(baselines).toHaveLength(16);
    });

    it('should keep the exact stored value of every detail cell in data-value and show a readable one', () => {
      const report = kernelReport();
      const html = renderReportHtml(report);
      const row = report.rows[0]!.values;
      expect(html).toContain(`<td data-column="speedup" class="number" data-value="${row.speedup}">`);
      expect(html).toMatch(new RegExp(`<td data-column="peakMemoryBytes" class="number" data-value="${row.peakMemoryBytes}">\\d+(\\.\\d+)? MiB</td>`));
      expect(columnHeader('denseLatencyP99_9Ms')).toBe('dense latency p99.9 (ms)');
      expect(columnHeader('peakMemoryBytes')).toBe('peak memory');
    });
  });

  it('should embed the report data unchanged', () => {
    const report = trainingStepReport();
    expect(extractEmbeddedReport(renderReportHtml(report))).toEqual(JSON.parse(JSON.stringify(report)));
  });

  it('should keep a script-breaking campaign name from escaping the embedded data', () => {
    const report = reportFor({ name: '</script><b>x', measure: 'kernel', matrix: { op: 'linear-forward', shape: [[2, 2, 2]], density: 1 } }, () => ({}));
    const html = renderReportHtml(report);
    expect(extractEmbeddedReport(html).campaign.name).toBe('</script><b>x');
    expect(html).toContain('<title>&lt;/script&gt;&lt;b&gt;x');
  });

  it('should need no network: no external script, stylesheet, image or font', () => {
    const html = renderReportHtml(kernelReport());
    expect(html).not.toMatch(/<(script|img|link|iframe)[^>]+(src|href)=/i);
    expect(html).not.toMatch(/url\(\s*['"]?(https?:)?\/\//i);
    expect(html).toContain('<script type="application/json" id="report-charts">');
  });
});
