import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { maskableLayers } from '../../client/src/engine/models/catalog.js';
import { parseTrainConfig } from '../../client/src/engine/train/config.js';
import { demoCampaignPlan, withSuffix } from '../../client/src/sim/demo/demo-campaign.js';
import { demoJobMatrix } from '../../client/src/sim/demo/job-matrix.js';
import { expandMatrix } from '../../server/src/campaigns/campaign-matrix.js';
import { parseCampaignYaml } from '../../server/src/campaigns/campaign-spec.js';
import { formatResultsTable, type PersistedResult } from '../../client/src/sim/demo/results-table.js';

const RESULT: PersistedResult = {
  jobId: 'j1',
  deviceId: '0123456789abcdef',
  outcome: 1,
  error: '',
  backend: 'wasm',
  dataSource: 'synthetic',
  syntheticData: true,
  testAccuracy: 0.8123,
  finalDensity: 0.1,
  stepMsP50: 3.25,
  stepMsP90: 4.5,
  peakRssBytes: 300 * 2 ** 20,
  peakTensorBytes: 42.5 * 2 ** 20,
  wallMs: 12_300,
};

describe('demoJobMatrix', () => {
  it('should produce one valid training config per agent, cycling through the variants', () => {
    const sut = demoJobMatrix({ quick: false, dataset: 'fashion-mnist', count: 6 });
    expect(sut.map((job) => job.name)).toEqual(['mlp-dense', 'cnn-dense', 'mlp-rigl-10%', 'mlp-set-20%', 'mlp-dense-2', 'cnn-dense-2']);
    for (const job of sut) expect(() => parseTrainConfig(job.config)).not.toThrow();
    expect(new Set(sut.map((job) => job.config.seed)).size).toBe(6);
  });

  it('should cap steps and data in quick mode', () => {
    const [job] = demoJobMatrix({ quick: true, dataset: 'synthetic', count: 1 });
    const config = parseTrainConfig(job.config);
    expect(config.maxSteps).toBe(30);
    expect(config.data).toMatchObject({ name: 'synthetic', trainLimit: 2000, testLimit: 500 });
  });
});

describe('formatResultsTable', () => {
  it('should show the data source, flagging a synthetic fallback, and the measurements', () => {
    const sut = formatResultsTable([{ job: 'mlp-dense', requestedData: 'fashion-mnist', state: 'succeeded', result: RESULT }]);
    const [header, , row] = sut.split('\n');
    expect(header).toMatch(/^job\s+state\s+device\s+backend\s+data/);
    expect(row).toContain('synthetic (no fashion-mnist files)');
    expect(row).toContain('0.8123');
    expect(row).toContain('3.25');
    expect(row).toContain('300');
    expect(row).toContain('42.5');
    expect(row).toContain('12.3');
    expect(row).toContain('01234567…');
  });

  it('should list jobs without a result and the errors of failed ones', () => {
    const failed = { ...RESULT, outcome: 2, error: 'out of memory', syntheticData: false, dataSource: 'fashion-mnist' };
    const sut = formatResultsTable([
      { job: 'a', requestedData: 'fashion-mnist', state: 'failed', result: failed },
      { job: 'b', requestedData: 'fashion-mnist', state: 'queued' },
    ]);
    expect(sut).toMatch(/\nb\s+queued\s+-/);
    expect(sut).toContain('errors:\n  a: out of memory');
  });
});

describe('the demo campaigns', () => {
  it('should run the kernel smoke campaign, then the training-step one, each with its own report', () => {
    const plan = demoCampaignPlan(undefined, '/out/report.html');
    expect(plan.map((entry) => entry.file.split(/[\\/]/).slice(-2).join('/'))).toEqual(['campaigns/smoke.yaml', 'campaigns/smoke-step.yaml']);
    expect(plan.map((entry) => entry.reportPath)).toEqual(['/out/report.html', join('/out', 'report-step.html')]);
    for (const entry of plan) expect(existsSync(entry.file)).toBe(true);
    expect(demoCampaignPlan('mine.yaml', '/out/r.html')).toEqual([{ file: 'mine.yaml', reportPath: '/out/r.html' }]);
    expect(withSuffix('/out/report', '-step')).toBe('/out/report-step');
  });

  it('should measure the layer shapes of the networks the demo trains, at its batch size, and one training step', () => {
    const batch = demoJobMatrix({ quick: true, dataset: 'fashion-mnist', count: 4 })[0]!.config.batchSize;
    const input = { height: 28, width: 28, channels: 1 };
    const fc1 = maskableLayers('mlp', input, 10).find((layer) => layer.name === 'fc1')!.shape;
    const conv2 = maskableLayers('cnn', input, 10).find((layer) => layer.name === 'conv2')!.shape;
    const [kernel, step] = demoCampaignPlan(undefined, 'r.html').map((entry) => parseCampaignYaml(readFileSync(entry.file, 'utf8')));
    const shapes = new Set(expandMatrix(kernel!).map((cell) => `${cell.params.op} ${cell.params.shape!.join('x')}`));
    // Linear [batch, in, out]; conv [batch, height, width, in, out, k] on conv2's input (28x28 pooled once).
    expect(shapes).toEqual(new Set([`linear-forward ${batch}x${fc1.in}x${fc1.out}`, `conv-forward ${batch}x14x14x${conv2.in}x${conv2.out}x${conv2.kh}`]));
    expect(step!.measure).toBe('training-step');
    expect(expandMatrix(step!).map((cell) => cell.params)).toEqual([
      { measure: 'training-step', model: 'mlp', method: 'rigl', scheme: 'irregular', density: 0.1, batchSize: batch },
    ]);
  });
});
