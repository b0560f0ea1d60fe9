// compareCampaigns: per-cell verdicts of campaign B against campaign A from the per-cell medians across devices,
// threshold edges (strictly beyond counts), noise marking, cells only on one side, thresholds and metric lists as
// the CLI and REST accept them, and the HTML page (highlighted order, escaping, embedded JSON).
import { describe, expect, it } from 'vitest';
import { expandMatrix, type CampaignCell } from '../../../server/src/campaigns/campaign-matrix.js';
import { parseCampaignSpec, type CampaignSpec } from '../../../server/src/campaigns/campaign-spec.js';
import {
  CompareOptionError,
  compareCampaigns,
  parseMetrics,
  parseThreshold,
  type CampaignComparison,
  type CellComparison,
} from '../../../server/src/campaigns/compare/campaign-compare.js';
import { extractEmbeddedComparison, renderComparisonHtml } from '../../../server/src/campaigns/compare/compare-html.js';
import type { CampaignReport, ReportRow } from '../../../server/src/campaigns/report/report-data.js';

const KERNEL = parseCampaignSpec({
  name: 'kernels',
  measure: 'kernel',
  matrix: { op: 'linear-forward', shape: [[8, 16, 16]], scheme: ['irregular', 'block'], density: [0.1, 0.2] },
  runRules: { percentiles: [50, 90] },
});
const [IRR_01, IRR_02, BLOCK_01, BLOCK_02] = expandMatrix(KERNEL) as [CampaignCell, CampaignCell, CampaignCell, CampaignCell];

interface Measured {
  readonly speedup?: number | null;
  readonly p50?: number | null;
  readonly valid?: boolean;
  readonly state?: number;
  readonly dense?: number;
  readonly accuracy?: number | null;
  readonly agent?: string;
}

function row(cell: CampaignCell, device: string, measured: Measured): ReportRow {
  return {
    values: {
      cellId: cell.id,
      cell: cell.label,
      op: cell.params.op ?? null,
      model: cell.params.model ?? null,
      scheme: cell.params.scheme,
      density: cell.params.density,
      deviceId: device,
      deviceName: `device ${device}`,
      agentVersion: measured.agent ?? '1.0.0',
      valid: measured.valid ?? true,
      speedup: measured.speedup === undefined ? 4 : measured.speedup,
      latencyP50Ms: measured.p50 === undefined ? 2 : measured.p50,
      modelStateBytes: measured.state ?? null,
      denseModelStateBytes: measured.dense ?? null,
      testAccuracy: measured.accuracy ?? null,
    },
    drift: [],
  };
}

function report(id: string, spec: CampaignSpec, rows: ReportRow[], name = id): CampaignReport {
  return {
    campaign: { id, name, measure: spec.measure, state: 'completed', createdAt: '2025-01-01T00:00:00.000Z', finishedAt: null, spec },
    columns: [],
    rows,
  };
}

/** The same figures on two devices (min = max = median unless the devices differ). */
function both(cell: CampaignCell, first: Measured, second: Measured = first): ReportRow[] {
  return [row(cell, 'd1', first), row(cell, 'd2', second)];
}

function cellOf(comparison: CampaignComparison, cell: CampaignCell): CellComparison {
  const found = comparison.cells.find((entry) => entry.cellId === cell.id);
  if (!found) throw new Error(`no comparison for ${cell.label}`);
  return found;
}

describe(compareCampaigns.name, () => {
  it('should give each cell its verdict: regression, improvement, unchanged, incomparable', () => {
    const a = report('a', KERNEL, [...both(IRR_01, { speedup: 4 }), ...both(IRR_02, { speedup: 4 }), ...both(BLOCK_01, { speedup: 4 }), ...both(BLOCK_02, { speedup: 4 })]);
    const b = report('b', KERNEL, [
      ...both(IRR_01, { speedup: 3.6 }), // −10 %
      ...both(IRR_02, { speedup: 4.4 }), // +10 %
      ...both(BLOCK_01, { speedup: 4.1 }), // +2.5 %
      ...both(BLOCK_02, { speedup: 9, valid: false }), // no valid result in B
    ]);

    const comparison = compareCampaigns(a, b);

    expect(cellOf(comparison, IRR_01)).toMatchObject({ verdict: 'regression', reason: null });
    expect(cellOf(comparison, IRR_01).metrics.find((metric) => metric.metric === 'speedup')).toMatchObject({
      a: { median: 4, min: 4, max: 4 },
      b: { median: 3.6, min: 3.6, max: 3.6 },
      changeUnit: '%',
      verdict: 'regression',
      withinNoise: false,
    });
    expect(cellOf(comparison, IRR_01).metrics.find((metric) => metric.metric === 'speedup')!.change).toBeCloseTo(-10);
    expect(cellOf(comparison, IRR_02).verdict).toBe('improvement');
    expect(cellOf(comparison, BLOCK_01).verdict).toBe('unchanged');
    expect(cellOf(comparison, BLOCK_02)).toMatchObject({ verdict: 'incomparable', reason: 'no valid result in B', validDevices: { a: 2, b: 0 } });
    expect(comparison.verdict).toBe('regression');
    expect(comparison.counts).toEqual({ regression: 1, improvement: 1, unchanged: 1, incomparable: 1, onlyInA: 0, onlyInB: 0 });
    expect(comparison.cells.map((cell) => cell.verdict)).toEqual(['regression', 'improvement', 'unchanged', 'incomparable']);
    expect(comparison.a).toMatchObject({ id: 'a', devices: 2, agentVersions: ['1.0.0'] });
  });

  it('should flag a change strictly beyond the threshold only, on both sides of it', () => {
    const a = report('a', KERNEL, [...both(IRR_01, { speedup: 4, p50: 2 }), ...both(IRR_02, { speedup: 4, p50: 2 }), ...both(BLOCK_01, { speedup: 4, p50: 2 }), ...both(BLOCK_02, { speedup: 4, p50: 2 })]);
    const b = report('b', KERNEL, [
      ...both(IRR_01, { speedup: 3.8, p50: 2 }), // exactly −5 % (−5.0000000000000044 in binary)
      ...both(IRR_02, { speedup: 3.799, p50: 2 }), // −5.025 %
      ...both(BLOCK_01, { speedup: 4, p50: 2.1 }), // latency exactly +5 %
      ...both(BLOCK_02, { speedup: 4, p50: 2.102 }), // latency +5.1 %
    ]);

    const at5 = compareCampaigns(a, b, { thresholdPercent: 5 });
    expect(cellOf(at5, IRR_01).verdict).toBe('unchanged');
    expect(cellOf(at5, IRR_02).verdict).toBe('regression');
    expect(cellOf(at5, BLOCK_01).verdict).toBe('unchanged');
    expect(cellOf(at5, BLOCK_02).verdict).toBe('regression');
    expect(cellOf(at5, BLOCK_02).metrics.find((metric) => metric.metric === 'latency')).toMatchObject({ better: 'lower', verdict: 'regression' });

    const at10 = compareCampaigns(a, b, { thresholdPercent: 10 });
    expect(at10.verdict).toBe('unchanged');
    expect(at10.counts.unchanged).toBe(4);

    const atZero = compareCampaigns(a, b, { thresholdPercent: 0 });
    expect(atZero.counts.regression).toBe(4);
  });

  it('should call a cell a regression when any metric regressed, even if another improved', () => {
    const a = report('a', KERNEL, both(IRR_01, { speedup: 4, p50: 2 }));
    const b = report('b', KERNEL, both(IRR_01, { speedup: 6, p50: 3 }));

    const cell = cellOf(compareCampaigns(a, b), IRR_01);

    expect(cell.verdict).toBe('regression');
    expect(cell.metrics.map((metric) => [metric.metric, metric.verdict])).toEqual([
      ['speedup', 'improvement'],
      ['latency', 'regression'],
    ]);
    // Only speedup compared (two fleets of different hardware): the latency change no longer counts.
    expect(cellOf(compareCampaigns(a, b, { metrics: ['speedup'] }), IRR_01).verdict).toBe('improvement');
  });

  it('should mark a flagged change within noise when the device ranges overlap, and still count it', () => {
    // A: devices 3 and 5 (median 4); B: 2.5 and 4.5 (median 3.5, −12.5 %) overlaps A's range.
    const a = report('a', KERNEL, [...both(IRR_01, { speedup: 3 }, { speedup: 5 }), ...both(IRR_02, { speedup: 3.9 }, { speedup: 4.1 })]);
    const b = report('b', KERNEL, [...both(IRR_01, { speedup: 2.5 }, { speedup: 4.5 }), ...both(IRR_02, { speedup: 3.4 }, { speedup: 3.6 })]);

    const comparison = compareCampaigns(a, b);

    expect(cellOf(comparison, IRR_01)).toMatchObject({ verdict: 'regression', withinNoise: true });
    expect(cellOf(comparison, IRR_01).metrics[0]).toMatchObject({ a: { median: 4, min: 3, max: 5 }, b: { median: 3.5, min: 2.5, max: 4.5 }, withinNoise: true });
    expect(cellOf(comparison, IRR_02)).toMatchObject({ verdict: 'regression', withinNoise: false });
    expect(comparison.counts.regression).toBe(2);
    // Both fell 12.5 %: equal severity, ties break by label.
    expect(comparison.cells.slice(0, 2).map((cell) => cell.cellId)).toEqual([IRR_01, IRR_02].sort((x, y) => x.label.localeCompare(y.label)).map((cell) => cell.id));
  });

  it('should order regressions worst first, then improvements largest first', () => {
    const a = report('a', KERNEL, [...both(IRR_01, { speedup: 4 }), ...both(IRR_02, { speedup: 4 }), ...both(BLOCK_01, { speedup: 4 }), ...both(BLOCK_02, { speedup: 4 })]);
    const b = report('b', KERNEL, [
      ...both(IRR_01, { speedup: 3.6 }), // −10 %
      ...both(IRR_02, { speedup: 2 }), // −50 %
      ...both(BLOCK_01, { speedup: 4.4 }), // +10 %
      ...both(BLOCK_02, { speedup: 8 }), // +100 %
    ]);

    const comparison = compareCampaigns(a, b);

    expect(comparison.cells.map((cell) => cell.cellId)).toEqual([IRR_02.id, IRR_01.id, BLOCK_02.id, BLOCK_01.id]);
    expect(comparison.cells[0]!.severity).toBeCloseTo(10);
  });

  it('should list cells only in A and only in B, and cells without results as incomparable', () => {
    const other = parseCampaignSpec({ ...KERNEL, matrix: { ...KERNEL.matrix, density: [0.2, 0.5] } });
    const otherCells = expandMatrix(other);
    const irr05 = otherCells.find((cell) => cell.params.scheme === 'irregular' && cell.params.density === 0.5)!;
    const a = report('a', KERNEL, [...both(IRR_01, {}), ...both(IRR_02, {})]);
    const b = report('b', other, [...both(IRR_02, {}), ...both(irr05, {})]);

    const comparison = compareCampaigns(a, b);

    expect(comparison.onlyInA.map((cell) => cell.cellId).sort()).toEqual([IRR_01.id, BLOCK_01.id].sort());
    expect(comparison.onlyInB.map((cell) => cell.label).sort()).toEqual(otherCells.filter((cell) => cell.params.density === 0.5).map((cell) => cell.label).sort());
    expect(comparison.counts).toMatchObject({ unchanged: 1, incomparable: 1, onlyInA: 2, onlyInB: 2 });
    // BLOCK_02 is in both matrices but has no result on either side.
    expect(cellOf(comparison, BLOCK_02)).toMatchObject({ verdict: 'incomparable', reason: 'no valid result in A or B' });
    expect(comparison.verdict).toBe('unchanged');
  });

  it('should be incomparable overall when no cell has valid results on both sides', () => {
    const a = report('a', KERNEL, both(IRR_01, { valid: false }));
    const b = report('b', KERNEL, both(IRR_01, {}));
    const comparison = compareCampaigns(a, b);
    expect(comparison.verdict).toBe('incomparable');
    expect(cellOf(comparison, IRR_01).reason).toBe('no valid result in A');
  });

  it('should compare test accuracy and memory saved in percentage points', () => {
    const training = parseCampaignSpec({ name: 'train', measure: 'training-run', matrix: { model: 'mlp', method: 'rigl', scheme: 'irregular', density: [0.1, 0.2, 0.5] } });
    const [c01, c02, c05] = expandMatrix(training) as [CampaignCell, CampaignCell, CampaignCell];
    const train = (accuracy: number, state = 100) => ({ speedup: null, p50: null, accuracy, state, dense: 1000 });
    const a = report('a', training, [...both(c01, train(0.9)), ...both(c02, train(0.9)), ...both(c05, train(0.9))]);
    const b = report('b', training, [
      ...both(c01, train(0.894)), // −0.6 pt
      ...both(c02, train(0.896)), // −0.4 pt
      ...both(c05, train(0.9, 200)), // memory saved 90 % → 80 %: −10 pt
    ]);

    const comparison = compareCampaigns(a, b, { accuracyThresholdPoints: 0.5 });

    const accuracy = (cell: CampaignCell) => cellOf(comparison, cell).metrics.find((metric) => metric.metric === 'accuracy')!;
    expect(accuracy(c01)).toMatchObject({ changeUnit: 'pt', threshold: 0.5, verdict: 'regression' });
    expect(accuracy(c01).change).toBeCloseTo(-0.6);
    expect(cellOf(comparison, c01).verdict).toBe('regression');
    expect(cellOf(comparison, c02).verdict).toBe('unchanged');
    const memory = cellOf(comparison, c05).metrics.find((metric) => metric.metric === 'memory')!;
    expect(memory).toMatchObject({ a: { median: 0.9, min: null, max: null }, changeUnit: 'pt', threshold: 5, verdict: 'regression', withinNoise: null });
    expect(memory.change).toBeCloseTo(-10);
    // No speedup or latency measured by either side: those metrics are left out, not incomparable.
    expect(cellOf(comparison, c02).metrics.map((metric) => metric.metric)).toEqual(['memory', 'accuracy']);
    expect(compareCampaigns(a, b, { accuracyThresholdPoints: 1 }).counts).toMatchObject({ regression: 1, unchanged: 2 });
  });

  it('should note run rules that differ and name agent versions per side', () => {
    const slower = parseCampaignSpec({ ...KERNEL, runRules: { ...KERNEL.runRules, minIterations: 50 } });
    const a = report('a', KERNEL, both(IRR_01, { agent: '1.0.0' }));
    const b = report('b', slower, [row(IRR_01, 'd1', { agent: '1.1.0' }), row(IRR_01, 'd3', { agent: '1.2.0' })]);

    const comparison = compareCampaigns(a, b);

    expect(comparison.notes).toEqual(['run rules differ: minIterations 20 in A, 50 in B']);
    expect(comparison.b.agentVersions).toEqual(['1.1.0', '1.2.0']);
    expect(comparison.verdict).toBe('unchanged');
  });
});

describe('comparison options', () => {
  it('should accept a threshold as 5, 5% or a fraction of a percent, and refuse others', () => {
    expect(parseThreshold('5')).toBe(5);
    expect(parseThreshold('5%')).toBe(5);
    expect(parseThreshold(' 2.5 % ')).toBe(2.5);
    expect(parseThreshold('0')).toBe(0);
    expect(parseThreshold('0.5pt', 'accuracy')).toBe(0.5);
    for (const bad of ['', '%', '-1', 'five', '5%%', '1e9', 'NaN']) {
      expect(() => parseThreshold(bad, '--threshold')).toThrow(CompareOptionError);
    }
    expect(() => parseThreshold('-1', '--threshold')).toThrow("--threshold must be a number in [0, 1000] (percent, e.g. 5 or 5%), got '-1'");
  });

  it('should accept a metric list in any order and refuse unknown names', () => {
    expect(parseMetrics('latency, speedup')).toEqual(['speedup', 'latency']);
    expect(() => parseMetrics('speed')).toThrow("metrics: unknown metric 'speed'");
    expect(() => parseMetrics(' , ')).toThrow(CompareOptionError);
  });
});

describe(renderComparisonHtml.name, () => {
  it('should show regressions, then improvements, unchanged collapsed, escape names and embed the JSON', () => {
    const a = report('a', KERNEL, [...both(IRR_01, { speedup: 4 }), ...both(IRR_02, { speedup: 4 }), ...both(BLOCK_01, { speedup: 4 })], '<before>');
    const b = report('b', KERNEL, [...both(IRR_01, { speedup: 4.8 }), ...both(IRR_02, { speedup: 3 }), ...both(BLOCK_01, { speedup: 4 })], 'after & co');
    const comparison = compareCampaigns(a, b);

    const html = renderComparisonHtml(comparison);

    expect(extractEmbeddedComparison(html)).toEqual(JSON.parse(JSON.stringify(comparison)));
    expect(html).toContain('&lt;before&gt; → after &amp; co');
    expect(html).not.toContain('<before>');
    expect(html).not.toMatch(/<script[^>]+src=|<link[^>]+href=/);
    const flaggedTable = /<table data-table="flagged">([\s\S]*?)<\/table>/.exec(html)![1]!;
    const order = [...flaggedTable.matchAll(/data-verdict="(\w+)"/g)].map((match) => match[1]);
    expect(order).toEqual(['regression', 'improvement']);
    expect(html).toMatch(/<details><summary>Unchanged \(1\)<\/summary><table data-table="unchanged">/);
    expect(html).toContain('data-verdict="regression"');
    expect(html).toContain('REGRESSION: 1 of 3 compared cells regressed beyond the threshold');
    expect(html).toContain('−25%');
  });
});
