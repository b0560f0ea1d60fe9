import { describe, expect, it } from 'vitest';
import { parseTrainConfig } from '../../client/src/engine/train/config.js';
import { demoJobMatrix } from '../../client/src/sim/demo/job-matrix.js';
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
