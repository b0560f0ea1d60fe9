// What a benchmark result carries end to end: the fair baseline, the tfjs figure, thread counts and the rules as
// applied are stored as the device sent them and reach the report's columns; the coordinator judges each speedup
// against its cell's density (1.1 × 1/density) and records the reason with the result.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CampaignDto } from '../../../server/src/api/dto/index.js';
import type { CampaignReport } from '../../../server/src/campaigns/report/report-data.js';
import { api, eventually, startTestCoordinator, type TestCoordinator } from '../support/coordinator-harness.js';
import { apiDto } from '../support/rest-dto.js';
import { benchmarkDevice, type BenchmarkDevice } from './support/benchmark-device.js';

const CAMPAIGN = {
  name: 'fields',
  measure: 'kernel',
  matrix: { op: 'linear-forward', shape: [[8, 16, 16]], scheme: 'irregular', density: [0.5, 0.1] },
  runRules: { warmupIterations: 1, minIterations: 5, minDurationMs: 10 },
};

async function finished(test: TestCoordinator, id: string): Promise<CampaignDto> {
  return eventually(async () => {
    const view = (await apiDto(test, CampaignDto, 'GET', `/api/campaigns/${id}`)).body;
    return view.state === 'running' ? undefined : view;
  }, 400);
}

describe('campaign result fields', () => {
  let test: TestCoordinator;
  let device: BenchmarkDevice;

  beforeAll(async () => {
    test = await startTestCoordinator({ leaseMs: 600, sweepIntervalMs: 50 });
    // Claims 15x at every density: above 1.1/0.5 = 2.2x and 1.1/0.1 = 11x, so both cells are judged invalid.
    device = await benchmarkDevice(test, 'fields-dev', 'measure', 1, (result) => ({ ...result, speedup: 15 }));
  });

  afterAll(async () => {
    device?.leave();
    await test?.stop();
  });

  it('should store the new fields, report them and judge the speedup against the cell density', async () => {
    const started = await apiDto(test, CampaignDto, 'POST', '/api/campaigns', CAMPAIGN);
    expect(started.status).toBe(201);
    const view = await finished(test, started.body.id);
    expect(view.results).toHaveLength(2);
    const density = (cellId: string) => view.cells.find((cell) => cell.id === cellId)!.params.density;
    for (const result of view.results) {
      expect(result.benchmark).toMatchObject({ baseline: 'dense-simd-kernel', baselinePath: 'channel d=1', tfjsPath: 'matMul(x,w)', threads: 1, baselineThreads: 1, tfjsThreads: 1 });
      expect(result.benchmark!.speedupVsTfjs).toBeGreaterThan(0);
      // The campaign's default percentiles include p99, and the rules come back as applied.
      expect(result.benchmark!.rules).toEqual({ warmupIterations: 1, minIterations: 5, minDurationMs: 10, percentiles: [50, 90, 99], cooldownMs: 0, sustainedDurationMs: 0, driftWindowMs: 0 });
      expect(result.benchmark!.tfjsLatencyMs.map((p) => p.percentile)).toEqual([50, 90, 99]);
      // The device conditions keep REST's own name for the load average (the wire code says loadAverage_1m).
      expect(result.benchmark!.start).toMatchObject({ loadAverage1m: 0.5 });
      expect(result.benchmark!.end).toMatchObject({ loadAverage1m: 0.7 });
      const limit = density(result.cellId) === 0.5 ? '2.2' : '11';
      expect(result.valid).toBe(false);
      expect(result.reasons).toEqual([expect.stringMatching(new RegExp(`^speedup 15× over dense-simd-kernel exceeds 1\\.1 × 1/density = ${limit.replace('.', '\\.')}×, more than skipping zeros can save: `))]);
    }

    const report = (await api<CampaignReport>(test, 'GET', `/api/campaigns/${started.body.id}/report?format=json`)).body;
    for (const column of ['baseline', 'baselinePath', 'tfjsPath', 'threads', 'baselineThreads', 'tfjsThreads', 'runRules', 'speedupVsTfjs', 'tfjsLatencyP50Ms', 'tfjsLatencyP99Ms']) {
      expect(report.columns).toContain(column);
    }
    for (const result of view.results) {
      const row = report.rows.find((entry) => entry.values.cellId === result.cellId)!.values;
      const bench = result.benchmark!;
      expect(row).toMatchObject({ baseline: 'dense-simd-kernel', baselinePath: 'channel d=1', tfjsPath: 'matMul(x,w)', threads: 1, baselineThreads: 1, tfjsThreads: 1 });
      expect(row.speedupVsTfjs).toBe(bench.speedupVsTfjs);
      expect(row.tfjsLatencyP50Ms).toBe(bench.tfjsLatencyMs.find((p) => p.percentile === 50)!.value);
      expect(row.tfjsLatencyP99Ms).toBe(bench.tfjsLatencyMs.find((p) => p.percentile === 99)!.value);
      expect(row.runRules).toBe('warmup 1, ≥5 iterations, ≥10 ms, p50/90/99');
      expect(row.invalidReasons).toBe(result.reasons.join('; '));
    }
  });
});
