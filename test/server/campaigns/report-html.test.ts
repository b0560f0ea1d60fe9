// The HTML report's charts, drawn by its embedded script in a stub DOM: which charts appear for each measure and
// that every plotted point is a stored number.
import { runInNewContext } from 'node:vm';
import { describe, expect, it } from 'vitest';
import { BenchmarkResult } from '../../../generated/proto/sparsefleet/v1/benchmark.js';
import { expandMatrix } from '../../../server/src/campaigns/campaign-matrix.js';
import { parseCampaignSpec, type CampaignSpecInput } from '../../../server/src/campaigns/campaign-spec.js';
import { snapshotDevice, type CampaignResultView } from '../../../server/src/campaigns/campaign-views.js';
import { buildReport, type CampaignReport } from '../../../server/src/campaigns/report/report-data.js';
import { extractEmbeddedReport, renderReportHtml } from '../../../server/src/campaigns/report/report-html.js';
import { REPORT_CHARTS_SCRIPT } from '../../../server/src/campaigns/report/report-charts-script.js';

interface DrawnChart {
  readonly title: string;
  readonly datasets: Array<{ label: string; data: Array<{ x: number; y: number }> }>;
}

function drawCharts(html: string): DrawnChart[] {
  const report = extractEmbeddedReport(html);
  const titles: string[] = [];
  const configs: Array<{ data: { datasets: DrawnChart['datasets'] } }> = [];
  const element = () => ({ children: [] as unknown[], textContent: '', appendChild(child: unknown) { this.children.push(child); } });
  const container = element();
  const document = {
    getElementById: (id: string) => (id === 'report-data' ? { textContent: JSON.stringify(report) } : container),
    createElement: element,
  };
  function Chart(_canvas: unknown, config: (typeof configs)[number]) {
    configs.push(config);
  }
  runInNewContext(REPORT_CHARTS_SCRIPT, { document, Chart, JSON });
  for (const figure of container.children as Array<{ children: Array<{ textContent: string }> }>) titles.push(figure.children[0]!.textContent);
  return titles.map((title, index) => ({ title, datasets: configs[index]!.data.datasets }));
}

function reportFor(input: CampaignSpecInput, benchmarkOf: (density: number, method: string) => Partial<BenchmarkResult>): CampaignReport {
  const spec = parseCampaignSpec(input);
  const results: CampaignResultView[] = expandMatrix(spec).map((cell, index) => ({
    cellId: cell.id,
    jobId: `job-${index}`,
    deviceId: 'dev-1',
    attempt: 1,
    jobState: 'succeeded',
    valid: true,
    reasons: [],
    benchmark: BenchmarkResult.fromPartial({ cellId: cell.id, ...benchmarkOf(cell.params.density, cell.params.method ?? '') }),
    device: snapshotDevice(undefined, 'dev-1'),
    error: null,
    recordedAt: '2026-01-01T00:00:00.000Z',
  }));
  return buildReport({ id: 'camp', name: input.name, measure: spec.measure, state: 'completed', createdAt: '2026-01-01T00:00:00.000Z', finishedAt: null, spec, results });
}

describe('renderReportHtml', () => {
  it('should plot speedup, step time, peak memory and drift of a training-step campaign from the stored numbers', () => {
    const report = reportFor(
      {
        name: 'steps',
        measure: 'training-step',
        matrix: { model: 'mlp', method: 'static', scheme: ['irregular', 'block'], density: [0.5, 0.1] },
        runRules: { percentiles: [50, 90], sustained: { durationMs: 2000, windowMs: 1000 } },
      },
      (density) => ({
        speedup: 1 / density,
        latencyMs: [{ percentile: 50, value: 10 * density }],
        peakMemoryBytes: 1048576 * (1 + density),
        drift: [{ offsetMs: 0, medianMs: 3, iterations: 5, temperatureCelsius: -1, batteryLevel: -1 }, { offsetMs: 1000, medianMs: 3.1, iterations: 5, temperatureCelsius: -1, batteryLevel: -1 }],
      }),
    );

    const charts = drawCharts(renderReportHtml(report));

    expect(charts.map((chart) => chart.title)).toEqual([
      'Speedup vs density: mlp static b=64',
      'Step time (p50) vs density: mlp static b=64',
      'Peak memory vs density: mlp static b=64',
      'Drift over the sustained run (median per window)',
    ]);
    const speedup = charts[0]!.datasets.find((dataset) => dataset.label === 'block · dev-1')!;
    expect(speedup.data).toEqual([
      expect.objectContaining({ x: 0.1, y: 1 / 0.1 }),
      expect.objectContaining({ x: 0.5, y: 1 / 0.5 }),
    ]);
    expect(charts[1]!.datasets[0]!.data.map((point) => point.y)).toEqual([10 * 0.1, 10 * 0.5]);
    expect(charts[3]!.datasets).toHaveLength(4);
  });

  it('should plot test accuracy against sparsity per method for a training-run campaign', () => {
    const report = reportFor(
      { name: 'acc', measure: 'training-run', matrix: { model: 'mlp', method: ['set', 'rigl'], density: [0.2, 0.05] } },
      (density, method) => ({ testAccuracy: (method === 'rigl' ? 0.8 : 0.7) - density / 10 }),
    );

    const charts = drawCharts(renderReportHtml(report));

    const accuracy = charts.find((chart) => chart.title === 'Test accuracy vs sparsity per method')!;
    expect(accuracy.datasets.map((dataset) => dataset.label)).toEqual(['set · irregular · dev-1', 'rigl · irregular · dev-1']);
    expect(accuracy.datasets[1]!.data).toEqual([
      expect.objectContaining({ x: 1 - 0.2, y: 0.8 - 0.02 }),
      expect.objectContaining({ x: 1 - 0.05, y: 0.8 - 0.005 }),
    ]);
  });

  it('should keep a script-breaking campaign name from escaping the embedded data', () => {
    const report = reportFor({ name: '</script><b>x', measure: 'kernel', matrix: { op: 'linear-forward', shape: [[2, 2, 2]], density: 1 } }, () => ({}));
    const html = renderReportHtml(report);
    expect(extractEmbeddedReport(html).campaign.name).toBe('</script><b>x');
    expect(html).toContain('<title>&lt;/script&gt;&lt;b&gt;x');
  });
});
