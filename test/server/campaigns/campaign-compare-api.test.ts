// GET /api/campaigns/:a/compare/:b against a real coordinator holding two finished campaigns whose results are
// stored through the campaign repository: verdicts from the stored numbers, thresholds as query parameters, 400 on
// bad parameters, 404 naming the missing campaign, an HTML page embedding the same JSON, and the OpenAPI entry.
import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { BenchmarkKind, BenchmarkResult, withDefaults } from '../../../protocol/src/index.js';
import { expandMatrix, type CampaignCell } from '../../../server/src/campaigns/campaign-matrix.js';
import { parseCampaignSpec, type CampaignSpec } from '../../../server/src/campaigns/campaign-spec.js';
import type { DeviceSnapshot } from '../../../server/src/campaigns/campaign-views.js';
import { CampaignRepository } from '../../../server/src/campaigns/campaign.repository.js';
import type { CampaignComparison } from '../../../server/src/campaigns/compare/campaign-compare.js';
import { extractEmbeddedComparison } from '../../../server/src/campaigns/compare/compare-html.js';
import { api, rawApi, startTestCoordinator, type TestCoordinator } from '../support/coordinator-harness.js';

const SPEC = parseCampaignSpec({
  name: 'kernels',
  measure: 'kernel',
  matrix: { op: 'linear-forward', shape: [[8, 16, 16]], scheme: ['irregular', 'block'], density: [0.1, 0.2] },
  runRules: { warmupIterations: 1, minIterations: 5, minDurationMs: 10, percentiles: [50, 90] },
});
const CELLS = expandMatrix(SPEC);
const cell = (scheme: string, density: number) => CELLS.find((entry) => entry.params.scheme === scheme && entry.params.density === density)!;
const IRR_01 = cell('irregular', 0.1);
const IRR_02 = cell('irregular', 0.2);
const BLOCK_01 = cell('block', 0.1);
const BLOCK_02 = cell('block', 0.2);

interface StoredResult {
  readonly cell: CampaignCell;
  readonly device: string;
  readonly speedup: number;
  readonly p50: number;
  readonly valid?: boolean;
  readonly agent: string;
}

function device(id: string, agentVersion: string): DeviceSnapshot {
  return {
    id,
    displayName: `bench ${id}`,
    platform: 'linux',
    arch: 'x64',
    cpuModel: 'test cpu',
    deviceModel: id,
    cores: 4,
    memoryBytes: 8e9,
    chosenBackend: 'wasm',
    wasmSimd: true,
    wasmThreads: false,
    runtime: 'node',
    agentVersion,
  };
}

/** Stores a finished campaign with the given results, as the supervisor would have recorded them. */
async function storeCampaign(test: TestCoordinator, name: string, spec: CampaignSpec, results: readonly StoredResult[]): Promise<string> {
  const repository = test.coordinator.app.get(CampaignRepository);
  const id = randomUUID();
  const at = new Date().toISOString();
  await repository.insert({
    id,
    name,
    measure: spec.measure,
    state: 'completed',
    spec_json: JSON.stringify({ ...spec, name }),
    devices_json: '[]',
    created_at: at,
    updated_at: at,
    finished_at: at,
  });
  for (const result of results) {
    const benchmark = withDefaults('sparsefleet.v1.BenchmarkResult', {
      campaignId: id,
      cellId: result.cell.id,
      kind: BenchmarkKind.BENCHMARK_KIND_KERNEL,
      iterations: 20,
      durationMs: 100,
      latencyMs: [
        { percentile: 50, value: result.p50 },
        { percentile: 90, value: result.p50 * 1.2 },
      ],
      denseLatencyMs: [{ percentile: 50, value: result.p50 * result.speedup }],
      speedup: result.speedup,
      testAccuracy: -1,
      valid: result.valid ?? true,
      agentVersion: result.agent,
    });
    await repository.insertResult({
      campaign_id: id,
      job_id: randomUUID(),
      cell_id: result.cell.id,
      device_id: result.device,
      attempt: 1,
      job_state: 'succeeded',
      valid: result.valid === false ? 0 : 1,
      reasons_json: JSON.stringify(result.valid === false ? ['thermal throttling'] : []),
      benchmark_json: JSON.stringify(benchmark),
      device_json: JSON.stringify(device(result.device, result.agent)),
      error: null,
      recorded_at: at,
    });
  }
  return id;
}

/** Every cell on devices d1 and d2 with the given speedup and p50. */
function everywhere(agent: string, figures: ReadonlyMap<CampaignCell, { speedup: number; p50: number; valid?: boolean }>): StoredResult[] {
  return [...figures].flatMap(([entry, figure]) => ['d1', 'd2'].map((id) => ({ cell: entry, device: id, agent, ...figure })));
}

describe('GET /api/campaigns/:a/compare/:b', () => {
  let test: TestCoordinator;
  let before: string;
  let after: string;
  let wider: string;

  beforeAll(async () => {
    test = await startTestCoordinator();
    before = await storeCampaign(
      test,
      'before',
      SPEC,
      everywhere(
        '1.0.0',
        new Map([
          [IRR_01, { speedup: 4, p50: 2 }],
          [IRR_02, { speedup: 4, p50: 2 }],
          [BLOCK_01, { speedup: 4, p50: 2 }],
          [BLOCK_02, { speedup: 4, p50: 2 }],
        ]),
      ),
    );
    after = await storeCampaign(
      test,
      'after',
      SPEC,
      everywhere(
        '1.1.0',
        new Map([
          [IRR_01, { speedup: 3, p50: 2 }], // speedup −25 %
          [IRR_02, { speedup: 5, p50: 1.6 }], // speedup +25 %, latency −20 %
          [BLOCK_01, { speedup: 4.04, p50: 2.02 }], // +1 %
          [BLOCK_02, { speedup: 9, p50: 0.1, valid: false }],
        ]),
      ),
    );
    const widerSpec = parseCampaignSpec({ ...SPEC, matrix: { ...SPEC.matrix, density: [0.1, 0.05] } });
    wider = await storeCampaign(test, 'wider', widerSpec, []);
  });

  afterAll(async () => {
    await test?.stop();
  });

  it('should compare the stored results cell by cell and flag what moved beyond the threshold', async () => {
    const response = await rawApi<CampaignComparison>(test.coordinator.url, 'GET', `/api/campaigns/${before}/compare/${after}`, {
      headers: { authorization: `Bearer ${test.apiKey}` },
    });

    expect(response.status).toBe(200);
    expect(response.contentType).toContain('application/json');
    const comparison = response.body;
    expect(comparison.a).toMatchObject({ id: before, name: 'before', devices: 2, agentVersions: ['1.0.0'] });
    expect(comparison.b).toMatchObject({ id: after, name: 'after', devices: 2, agentVersions: ['1.1.0'] });
    expect(comparison.thresholds).toEqual({ percent: 5, memoryPoints: 5, accuracyPoints: 0.5 });
    expect(comparison.verdict).toBe('regression');
    expect(comparison.counts).toEqual({ regression: 1, improvement: 1, unchanged: 1, incomparable: 1, onlyInA: 0, onlyInB: 0 });
    expect(comparison.cells.map((entry) => [entry.cellId, entry.verdict])).toEqual([
      [IRR_01.id, 'regression'],
      [IRR_02.id, 'improvement'],
      [BLOCK_01.id, 'unchanged'],
      [BLOCK_02.id, 'incomparable'],
    ]);
    const regressed = comparison.cells[0]!;
    expect(regressed.label).toBe(IRR_01.label);
    expect(regressed.metrics.find((metric) => metric.metric === 'speedup')).toMatchObject({
      a: { median: 4, min: 4, max: 4 },
      b: { median: 3, min: 3, max: 3 },
      change: -25,
      verdict: 'regression',
    });
    expect(comparison.cells[1]!.metrics.find((metric) => metric.metric === 'latency')).toMatchObject({ a: { median: 2 }, b: { median: 1.6 }, verdict: 'improvement' });
    expect(comparison.cells[3]!.reason).toBe('no valid result in B');
  });

  it('should take the threshold as 30, 30% and the metrics as a list', async () => {
    for (const threshold of ['30', '30%25']) {
      const loose = await api<CampaignComparison>(test, 'GET', `/api/campaigns/${before}/compare/${after}?threshold=${threshold}`);
      expect(loose.status).toBe(200);
      expect(loose.body.thresholds.percent).toBe(30);
      expect(loose.body.verdict).toBe('unchanged');
      expect(loose.body.counts).toMatchObject({ regression: 0, improvement: 0, unchanged: 3, incomparable: 1 });
    }
    const latencyOnly = await api<CampaignComparison>(test, 'GET', `/api/campaigns/${before}/compare/${after}?metrics=latency`);
    expect(latencyOnly.body.metrics).toEqual(['latency']);
    expect(latencyOnly.body.verdict).toBe('improvement');
  });

  it('should list the cells only one campaign has', async () => {
    const response = await api<CampaignComparison>(test, 'GET', `/api/campaigns/${before}/compare/${wider}`);
    expect(response.status).toBe(200);
    expect(response.body.onlyInA.map((entry) => entry.cellId).sort()).toEqual([IRR_02.id, BLOCK_02.id].sort());
    expect(response.body.onlyInB.map((entry) => entry.label).sort()).toEqual(['linear-forward [8,16,16] block d=0.05', 'linear-forward [8,16,16] irregular d=0.05']);
    expect(response.body.cells.map((entry) => [entry.cellId, entry.reason]).sort()).toEqual(
      [
        [IRR_01.id, 'no valid result in B'],
        [BLOCK_01.id, 'no valid result in B'],
      ].sort(),
    );
    expect(response.body.verdict).toBe('incomparable');
  });

  it('should refuse a bad threshold, metric or format with 400 and name a missing campaign with 404', async () => {
    const path = `/api/campaigns/${before}/compare/${after}`;
    for (const [query, message] of [
      ['threshold=abc', "threshold must be a number in [0, 1000] (percent, e.g. 5 or 5%), got 'abc'"],
      ['threshold=-5', "threshold must be a number in [0, 1000] (percent, e.g. 5 or 5%), got '-5'"],
      ['accuracyThreshold=x', "accuracyThreshold must be a number in [0, 1000] (percent, e.g. 5 or 5%), got 'x'"],
      ['metrics=speed', "metrics: unknown metric 'speed' (one of speedup, latency, memory, accuracy)"],
      ['format=csv', 'format must be one of json, html'],
    ]) {
      const response = await api<{ message: string }>(test, 'GET', `${path}?${query}`);
      expect(response.status, query).toBe(400);
      expect(response.body.message, query).toBe(message);
    }
    const missing = randomUUID();
    const notFoundB = await api<{ message: string }>(test, 'GET', `/api/campaigns/${before}/compare/${missing}`);
    expect(notFoundB.status).toBe(404);
    expect(notFoundB.body.message).toBe(`campaign ${missing} does not exist`);
    const notFoundA = await api<{ message: string }>(test, 'GET', `/api/campaigns/${missing}/compare/${after}`);
    expect(notFoundA.body.message).toBe(`campaign ${missing} does not exist`);
    const neither = await api<{ message: string }>(test, 'GET', `/api/campaigns/${missing}/compare/nope`);
    expect(neither.body.message).toBe(`campaigns ${missing} and nope do not exist`);
    const unauthenticated = await rawApi(test.coordinator.url, 'GET', path);
    expect(unauthenticated.status).toBe(401);
  });

  it('should serve a self-contained HTML page embedding the same comparison, regressions first', async () => {
    const headers = { authorization: `Bearer ${test.apiKey}` };
    const json = (await api<CampaignComparison>(test, 'GET', `/api/campaigns/${before}/compare/${after}?threshold=5`)).body;
    const html = await rawApi<string>(test.coordinator.url, 'GET', `/api/campaigns/${before}/compare/${after}?threshold=5&format=html`, { headers });

    expect(html.status).toBe(200);
    expect(html.contentType).toContain('text/html');
    expect(extractEmbeddedComparison(html.body)).toEqual(json);
    expect(html.body).not.toMatch(/<script[^>]+src=|https?:\/\//);
    const rows = [...html.body.matchAll(/<tr class="\w+" data-cell-id="([^"]+)" data-verdict="(\w+)"/g)].map((match) => [match[1], match[2]]);
    expect(rows).toEqual([
      [IRR_01.id, 'regression'],
      [IRR_02.id, 'improvement'],
      [BLOCK_01.id, 'unchanged'],
      [BLOCK_02.id, 'incomparable'],
    ]);
    expect(html.body).toMatch(/<details><summary>Unchanged \(1\)<\/summary>/);
  });

  it('should describe the route and its parameters in the OpenAPI document', async () => {
    const document = (await api<{ paths: Record<string, { get?: { parameters?: Array<{ name: string }> } }> }>(test, 'GET', '/api/docs/json')).body;
    const route = document.paths['/api/campaigns/{a}/compare/{b}']?.get;
    expect(route).toBeDefined();
    expect(route!.parameters!.map((parameter) => parameter.name).sort()).toEqual(['a', 'accuracyThreshold', 'b', 'format', 'metrics', 'threshold']);
  });
});
