// summarizeCells: per-cell median/min/max across devices from the report rows, valid results only.
import { describe, expect, it } from 'vitest';
import { summarizeCells } from '../../../server/src/campaigns/report/cell-summary.js';
import type { CampaignReport, ReportRow } from '../../../server/src/campaigns/report/report-data.js';

function row(cellId: string, deviceId: string, values: Record<string, number | string | boolean | null>): ReportRow {
  return { values: { cellId, cell: `cell ${cellId}`, scheme: 'irregular', density: 0.1, op: null, deviceId, deviceName: `dev ${deviceId}`, valid: true, ...values }, drift: [] };
}

const report = (rows: ReportRow[]) => ({ rows }) as unknown as CampaignReport;

describe(summarizeCells.name, () => {
  it('should give median, min, max and the best and worst device per cell over valid results only', () => {
    const summaries = summarizeCells(
      report([
        row('a', 'd1', { speedup: 4, latencyP50Ms: 1, modelStateBytes: 30, denseModelStateBytes: 100 }),
        row('a', 'd2', { speedup: 8, latencyP50Ms: 0.5, modelStateBytes: 20, denseModelStateBytes: 100 }),
        row('a', 'd3', { speedup: 6, latencyP50Ms: 0.7, modelStateBytes: 25, denseModelStateBytes: 100 }),
        row('a', 'd4', { speedup: 90, latencyP50Ms: 0.01, valid: false }),
        row('b', 'd1', { speedup: null, valid: false }),
      ]),
    );

    expect(summaries).toHaveLength(2);
    const [a, b] = summaries;
    expect(a).toMatchObject({
      cellId: 'a',
      label: 'cell a',
      params: { scheme: 'irregular', density: 0.1 },
      devices: 4,
      validDevices: 3,
      speedup: { median: 6, min: 4, max: 8 },
      latencyP50Ms: { median: 0.7, min: 0.5, max: 1 },
      best: { deviceId: 'd2', value: 8 },
      worst: { deviceId: 'd1', value: 4 },
    });
    expect(a!.memorySaved).toBeCloseTo(0.75);
    expect(b).toMatchObject({ devices: 1, validDevices: 0, speedup: null, best: null, worst: null, memorySaved: null });
  });
});
