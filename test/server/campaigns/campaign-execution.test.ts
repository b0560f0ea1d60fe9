// Campaign execution against a real coordinator with raw test devices: placement every pins one job per (cell,
// device), spread uses the selector, a device that leaves mid-run is replaced by one not covering its cells, and
// the reports hold exactly the numbers the devices sent.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CampaignService } from '../../../server/src/campaigns/campaign.service.js';
import { z } from 'zod';
import { CampaignDto, CampaignSummaryDto } from '../../../server/src/api/dto/index.js';
import { parseCsv } from '../../../server/src/campaigns/report/report-csv.js';
import type { CampaignReport } from '../../../server/src/campaigns/report/report-data.js';
import { extractEmbeddedReport } from '../../../server/src/campaigns/report/report-html.js';
import { api, eventually, rawApi, startTestCoordinator, type TestCoordinator } from '../support/coordinator-harness.js';
import { apiDto } from '../support/rest-dto.js';
import { benchmarkDevice, type BenchmarkDevice } from './support/benchmark-device.js';

const SMOKE = {
  name: 'exec',
  measure: 'kernel',
  matrix: { op: 'linear-forward', shape: [[8, 16, 16]], scheme: ['irregular', 'block'], density: 0.1 },
  runRules: { warmupIterations: 1, minIterations: 5, minDurationMs: 10, percentiles: [50, 90] },
};

async function campaignOf(test: TestCoordinator, id: string): Promise<CampaignDto> {
  return (await apiDto(test, CampaignDto, 'GET', `/api/campaigns/${id}`)).body;
}

async function finished(test: TestCoordinator, id: string): Promise<CampaignDto> {
  return eventually(async () => {
    const view = await campaignOf(test, id);
    return view.state === 'running' ? undefined : view;
  }, 400);
}

describe(CampaignService.name, () => {
  let test: TestCoordinator;
  const devices: BenchmarkDevice[] = [];

  beforeAll(async () => {
    test = await startTestCoordinator({ leaseMs: 600, sweepIntervalMs: 50 });
  });

  afterAll(async () => {
    for (const device of devices) device.leave();
    await test?.stop();
  });

  it('should reject an invalid spec with the field path and a spec no device matches', async () => {
    const bad = await api<{ issues: string[] }>(test, 'POST', '/api/campaigns', { ...SMOKE, matrix: { ...SMOKE.matrix, density: [0.5, 2] } });
    expect(bad.status).toBe(400);
    expect(bad.body.issues).toContain('matrix.density[1]: must be in (0, 1]');
    const none = await api<{ issues: string[] }>(test, 'POST', '/api/campaigns', { yaml: 'name: n\nmeasure: kernel\nmatrix: { op: linear-forward, shape: [[8,16,16]], density: 0.5 }\ndevices: { selector: { labels: { site: mars } } }\n' });
    expect(none.status).toBe(400);
    expect(none.body.issues[0]).toMatch(/devices.selector: no online device matches/);
  });

  it('should run every cell on every selected device and replace a device that leaves', async () => {
    // Prepare: A measures, B accepts and goes silent, then leaves; C joins after the start (not selected).
    const a = await benchmarkDevice(test, 'dev-a');
    const b = await benchmarkDevice(test, 'dev-b', 'silent');
    devices.push(a, b);
    const started = await apiDto(test, CampaignDto, 'POST', '/api/campaigns', SMOKE);
    expect(started.status).toBe(201);
    const id = started.body.id;
    expect(started.body.devices.map((device) => device.id).sort()).toEqual([a.deviceId, b.deviceId].sort());
    expect(started.body.counts.total).toBe(4);
    await eventually(async () => (b.assigned.length > 0 ? true : undefined));
    const c = await benchmarkDevice(test, 'dev-c', 'measure', 2);
    devices.push(c);
    b.leave();

    const view = await finished(test, id);

    expect(view.state).toBe('completed');
    expect(view.counts.succeeded).toBe(4);
    expect(view.results).toHaveLength(4);
    const byDevice = (deviceId: string) => view.results.filter((result) => result.deviceId === deviceId).length;
    expect(byDevice(a.deviceId)).toBe(2);
    expect(byDevice(c.deviceId)).toBe(2);
    expect(byDevice(b.deviceId)).toBe(0);
    for (const cell of view.cells) expect(new Set(cell.jobs.map((job) => job.deviceId)).size).toBe(2);
    expect(view.results.every((result) => result.valid && result.device.cpuModel === 'test cpu')).toBe(true);
  });

  it('should serve JSON, CSV and HTML reports holding exactly the stored numbers', async () => {
    const [campaign] = (await apiDto(test, z.array(CampaignSummaryDto), 'GET', '/api/campaigns')).body;
    const id = campaign!.id;
    const json = (await api<CampaignReport>(test, 'GET', `/api/campaigns/${id}/report?format=json`)).body;
    const headers = { authorization: `Bearer ${test.apiKey}` };
    const csv = await rawApi<string>(test.coordinator.url, 'GET', `/api/campaigns/${id}/report?format=csv`, { headers });
    const html = await rawApi<string>(test.coordinator.url, 'GET', `/api/campaigns/${id}/report?format=html`, { headers });
    const view = await campaignOf(test, id);

    // JSON = stored results.
    expect(json.rows).toHaveLength(view.results.length);
    for (const result of view.results) {
      const row = json.rows.find((entry) => entry.values.cellId === result.cellId && entry.values.deviceId === result.deviceId)!;
      expect(row.values.speedup).toBe(result.benchmark!.speedup);
      expect(row.values.gflops).toBe(result.benchmark!.gflops);
      expect(row.values.latencyP90Ms).toBe(result.benchmark!.latencyMs.find((p) => p.percentile === 90)!.value);
      expect(row.values.iterations).toBe(result.benchmark!.iterations);
    }
    // CSV = JSON, cell by cell.
    expect(csv.contentType).toContain('text/csv');
    const [header, ...lines] = parseCsv(csv.body);
    expect(header).toEqual(json.columns);
    expect(lines).toHaveLength(json.rows.length);
    lines.forEach((line, index) => {
      json.columns.forEach((column, c) => {
        const value = json.rows[index]!.values[column];
        expect(line[c]).toBe(value === null || value === undefined ? '' : String(value));
      });
    });
    // HTML embeds the same data, inlines chart.js and needs no network.
    expect(html.contentType).toContain('text/html');
    expect(extractEmbeddedReport(html.body)).toEqual(json);
    expect(html.body).toContain('Chart.js v4');
    expect(html.body).not.toMatch(/<script[^>]+src=/);
    expect(html.body).not.toMatch(/https?:\/\/cdn/);
    // Every measured number of every row is in its device's details, exactly (data-value).
    for (const row of json.rows) {
      const details = new RegExp(`<details class="device" data-device="${String(row.values.deviceId)}">([\\s\\S]*?)</details>`).exec(html.body)![1]!;
      for (const column of ['speedup', 'gflops', 'latencyP50Ms', 'latencyP90Ms', 'iterations']) {
        expect(details).toContain(`data-column="${column}" class="number" data-value="${String(row.values[column])}"`);
      }
    }
  });

  it('should place spread cells on any matching device and cancel a campaign', async () => {
    const spread = { ...SMOKE, name: 'spread', devices: { placement: 'spread', count: 2 } };
    const started = (await apiDto(test, CampaignDto, 'POST', '/api/campaigns', spread)).body;
    expect(started.counts.total).toBe(4);
    const view = await finished(test, started.id);
    expect(view.counts.succeeded).toBe(4);
    expect(view.results.every((result) => result.deviceId !== devices[1]!.deviceId)).toBe(true);

    const another = (await apiDto(test, CampaignDto, 'POST', '/api/campaigns', { ...SMOKE, name: 'to-cancel', devices: { selector: { labels: { none: 'x' } }, placement: 'spread' } })).body;
    expect(another.cells[0]!.jobs[0]!.waitingReason).toBeTruthy();
    const cancelled = await apiDto(test, CampaignDto, 'POST', `/api/campaigns/${another.id}/cancel`);
    expect(cancelled.body.state).toBe('cancelled');
    expect(cancelled.body.counts.cancelled).toBe(2);
  });
});
