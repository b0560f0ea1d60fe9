// Real (tiny) benchmark cells on tfjs-wasm and the WASM SIMD kernels. No timing thresholds: only that the rules
// were met, the figures are positive and consistent, and (with a fake clock) which side each figure comes from.
import { availableParallelism } from 'node:os';
import { describe, expect, it } from 'vitest';
import { parseTrainConfig } from '../../../client/src/engine/train/config.js';
import { runBenchmark } from '../../../client/src/engine/bench/run-benchmark.js';
import type { BenchmarkProgress, RunRules } from '../../../client/src/engine/bench/types.js';
import type { TrainResult } from '../../../client/src/engine/train/types.js';

const RULES: RunRules = { warmupIterations: 1, minIterations: 4, minDurationMs: 0, percentiles: [50, 90], cooldownMs: 0, sustainedDurationMs: 0, driftWindowMs: 0 };
const identity = { campaignId: 'camp', cellId: 'cell' };

describe('runBenchmark', () => {
  it('should measure a linear kernel cell against the dense baseline', async () => {
    const progress: BenchmarkProgress[] = [];
    const outcome = await runBenchmark(
      { kind: 'kernel', ...identity, op: 'linear-backward-data', scheme: 'irregular', shape: [8, 64, 32], density: 0.25, seed: 3, rules: RULES },
      { onProgress: (p) => progress.push(p) },
    );
    expect(outcome.valid).toBe(true);
    expect(outcome.invalidReasons).toEqual([]);
    expect(outcome.latency.iterations).toBeGreaterThanOrEqual(4);
    expect(outcome.latency.percentiles.map((p) => p.percentile)).toEqual([50, 90]);
    expect(outcome.latency.percentiles[0].value).toBeGreaterThan(0);
    expect(outcome.latency.percentiles[1].value).toBeGreaterThanOrEqual(outcome.latency.percentiles[0].value);
    expect(outcome.dense?.percentiles[0].value).toBeGreaterThan(0);
    expect(outcome.speedup).toBeGreaterThan(0);
    expect(outcome.gflops).toBeGreaterThan(0);
    expect(outcome.compute).toBe('sparse-kernels');
    expect(outcome.details.format).toBe('csr');
    // The speedup's denominator is the dense SIMD kernel keeping every weight (32 x 64); tfjs is the second figure.
    expect(outcome.baseline).toBe('dense-simd-kernel');
    expect(['channel d=1', 'block4 d=1']).toContain(outcome.details.densePath);
    expect(outcome.details.denseNnz).toBe(32 * 64);
    expect(outcome.details.nnz).toBeGreaterThan(0);
    expect(outcome.details.nnz).toBeLessThan(32 * 64);
    expect(['matMul(dy,w,transposeB)', 'matMul(dy,transpose(w))']).toContain(outcome.details.tfjsPath);
    expect(outcome.tfjs?.iterations).toBeGreaterThanOrEqual(4);
    expect(outcome.tfjs?.percentiles.map((p) => p.percentile)).toEqual([50, 90]);
    expect(outcome.speedupVsTfjs).toBeGreaterThan(0);
    expect(outcome.threads).toEqual({ measured: 1, baseline: 1, tfjs: 1 });
    expect(outcome.rules).toBe(RULES);
    expect(outcome.testAccuracy).toBe(-1);
    expect(new Set(progress.map((p) => p.side))).toEqual(new Set(['sparse', 'dense', 'tfjs']));
  });

  it('should divide by the same-harness dense baseline and report the tfjs time as a second figure', async () => {
    // A fake clock whose tick depends on the side being measured (as progress announces it): every sparse call
    // "takes" 1 ms, every dense SIMD baseline call 8 ms, every tfjs call 40 ms.
    const tick = { sparse: 1, dense: 8, tfjs: 40, training: 0 };
    let side: BenchmarkProgress['side'] = 'sparse';
    let now = 0;
    const clock = { now: () => (now += tick[side]), sleep: async () => undefined };
    const outcome = await runBenchmark(
      { kind: 'kernel', ...identity, op: 'linear-forward', scheme: 'block', shape: [8, 32, 32], density: 0.25, seed: 2, rules: RULES },
      { onProgress: (p) => (side = p.side) },
      { clock, sampleTargetMs: 0.5 },
    );
    expect(outcome.latency.percentiles[0]).toEqual({ percentile: 50, value: 1 });
    expect(outcome.dense?.percentiles[0]).toEqual({ percentile: 50, value: 8 });
    expect(outcome.tfjs?.percentiles[0]).toEqual({ percentile: 50, value: 40 });
    expect(outcome.speedup).toBe(8);
    expect(outcome.speedupVsTfjs).toBe(40);
    expect(outcome.details.denseGflops).toBeCloseTo((2 * 8 * 32 * 32) / 8 / 1e6, 12);
    expect(outcome.details.tfjsGflops).toBeCloseTo((2 * 8 * 32 * 32) / 40 / 1e6, 12);
  });

  it('should measure a 3x3 pattern conv cell', async () => {
    const outcome = await runBenchmark({ kind: 'kernel', ...identity, op: 'conv-backward-weight', scheme: 'pattern', shape: [2, 6, 6, 4, 8, 3], density: 0.2, seed: 5, rules: RULES });
    expect(outcome.valid).toBe(true);
    expect(outcome.details.format).toBe('pattern');
    expect(outcome.speedup).toBeGreaterThan(0);
    // 8 rows divide by 4: both dense formats are candidates, and each keeps all 8 x 4 x 9 weights.
    expect(['channel d=1', 'block4 d=1']).toContain(outcome.details.densePath);
    expect(outcome.details.denseNnz).toBe(8 * 4 * 9);
  });

  it('should measure sparse-kernel training steps against the dense baseline with model-state bytes', async () => {
    const config = parseTrainConfig({ model: 'mlp', method: 'rigl', density: 0.1, batchSize: 8, backend: 'wasm' });
    const outcome = await runBenchmark({ kind: 'training-step', ...identity, config, rules: { ...RULES, minIterations: 3 } });
    expect(outcome.valid).toBe(true);
    expect(outcome.backend).toBe('wasm');
    expect(outcome.compute).toBe('sparse-kernels');
    expect(outcome.latency.iterations).toBe(3);
    expect(outcome.dense?.iterations).toBe(3);
    expect(outcome.latency.minMs).toBeGreaterThan(0);
    expect(outcome.speedup).toBeGreaterThan(0);
    expect(outcome.modelStateBytes).toBeGreaterThan(0);
    expect(outcome.modelStateBytes).toBeLessThan(outcome.denseModelStateBytes);
    // The corrected dense step is the baseline; no stock tfjs figure is measured for steps.
    expect(outcome.baseline).toBe('corrected-dense-step');
    expect(outcome.tfjs).toBeUndefined();
    expect(outcome.speedupVsTfjs).toBe(0);
    // threads: 'auto' (the default) runs the sparse kernels on every core (at most 8); dense tfjs-wasm runs one on Node.
    const cores = Math.min(8, availableParallelism());
    expect(outcome.details.kernelThreads).toBe(cores);
    expect(outcome.threads).toEqual({ measured: cores, baseline: 1, tfjs: 0 });
  });

  it('should report a training run with its accuracy and mark it invalid below the minimum steps', async () => {
    const config = parseTrainConfig({ model: 'mlp', data: { name: 'synthetic' } });
    const result = { backend: 'cpu', steps: 5, wallMs: 50, stepMsP50: 4, stepMsP90: 6, testAccuracy: 0.8, peakRssBytes: 10, peakTensorBytes: 20 } as Partial<TrainResult>;
    const outcome = await runBenchmark(
      { kind: 'training-run', ...identity, config, rules: { ...RULES, minIterations: 10, percentiles: [50, 90, 99] } },
      {},
      { runTraining: async () => ({ ...result, dataSource: 'synthetic', epochs: 1, finalDensity: 1 }) as TrainResult },
    );
    expect(outcome.latency.percentiles).toEqual([{ percentile: 50, value: 4 }, { percentile: 90, value: 6 }]);
    expect(outcome.details.percentilesUnavailable).toBe('99');
    expect(outcome.testAccuracy).toBe(0.8);
    expect(outcome.peakMemoryBytes).toBe(20);
    expect(outcome.valid).toBe(false);
    expect(outcome.invalidReasons).toEqual(['minimum iterations not met: 5 steps of 10']);
  });

  it('should reject when aborted', async () => {
    const controller = new AbortController();
    controller.abort(new Error('stop'));
    await expect(
      runBenchmark({ kind: 'kernel', ...identity, op: 'linear-forward', scheme: 'irregular', shape: [4, 16, 16], density: 0.5, seed: 1, rules: RULES }, { signal: controller.signal }),
    ).rejects.toThrow('stop');
  });
});
