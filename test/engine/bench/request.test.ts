import { describe, expect, it } from 'vitest';
import { BenchmarkKind, withDefaults } from '../../../protocol/src/index.js';
import { TrainingJobSpec } from '../../../protocol/src/index.js';
import { benchmarkRequestFromJobSpec, DEFAULT_RUN_RULES } from '../../../client/src/engine/bench/request.js';

const rules = { warmupIterations: 0, minIterations: 0, minDurationMs: 0, percentiles: [], cooldownMs: 250, sustainedDurationMs: 0, driftWindowMs: 0 };

describe('benchmarkRequestFromJobSpec', () => {
  it('should map a kernel cell, reading the old kernel scheme name block4 as the canonical block', () => {
    const spec = withDefaults('sparsefleet.v1.TrainingJobSpec', {
      seed: 7,
      backend: 'cpu',
      benchmark: { kind: BenchmarkKind.BENCHMARK_KIND_KERNEL, campaignId: 'c1', cellId: 'cell-3', op: 'linear-backward-data', scheme: 'block4', shape: [64, 512, 256], density: 0.1, rules },
    });
    const request = benchmarkRequestFromJobSpec(spec);
    expect(request).toEqual({
      kind: 'kernel',
      campaignId: 'c1',
      cellId: 'cell-3',
      op: 'linear-backward-data',
      scheme: 'block',
      shape: [64, 512, 256],
      density: 0.1,
      seed: 7,
      denseBackend: 'cpu',
      rules: { ...rules, minIterations: 1, percentiles: [50, 90, 99] },
    });
  });

  it('should take model, method, scheme, density and batch of a training-step cell from the job spec', () => {
    const spec = withDefaults('sparsefleet.v1.TrainingJobSpec', {
      model: 'cnn',
      method: 'rigl',
      scheme: 'irregular',
      density: 0.2,
      hyper: { batchSize: 32 },
      benchmark: { kind: BenchmarkKind.BENCHMARK_KIND_TRAINING_STEP, campaignId: 'c1', cellId: 'step-1' },
    });
    const request = benchmarkRequestFromJobSpec(spec);
    expect(request.kind).toBe('training-step');
    if (request.kind === 'kernel') throw new Error('unreachable');
    expect(request.config).toMatchObject({ model: 'cnn', method: 'rigl', scheme: 'irregular', density: 0.2, batchSize: 32 });
    expect(request.rules).toBe(DEFAULT_RUN_RULES);
  });

  it('should map a training-run cell with its rules as sent', () => {
    const sent = { warmupIterations: 0, minIterations: 3, minDurationMs: 0, percentiles: [90], cooldownMs: 0, sustainedDurationMs: 0, driftWindowMs: 0 };
    const spec = withDefaults('sparsefleet.v1.TrainingJobSpec', { model: 'mlp', benchmark: { kind: BenchmarkKind.BENCHMARK_KIND_TRAINING_RUN, rules: sent } });
    const request = benchmarkRequestFromJobSpec(spec);
    expect(request.kind).toBe('training-run');
    expect(request.rules).toEqual(sent);
  });

  it.each([
    [{ kind: BenchmarkKind.BENCHMARK_KIND_UNSPECIFIED }, /unknown benchmark kind/],
    [{ kind: BenchmarkKind.BENCHMARK_KIND_KERNEL, op: 'matmul', scheme: 'irregular', shape: [1, 2, 3], density: 0.5 }, /op must be one of/],
    [{ kind: BenchmarkKind.BENCHMARK_KIND_KERNEL, op: 'linear-forward', scheme: 'diagonal', shape: [1, 2, 3], density: 0.5 }, /scheme must be one of/],
    [{ kind: BenchmarkKind.BENCHMARK_KIND_KERNEL, op: 'linear-forward', scheme: 'irregular', shape: [1, 2], density: 0.5 }, /linear shape must be/],
    [{ kind: BenchmarkKind.BENCHMARK_KIND_KERNEL, op: 'conv-forward', scheme: 'irregular', shape: [1, 8, 8, 4, 4, 2], density: 0.5 }, /must be odd/],
    [{ kind: BenchmarkKind.BENCHMARK_KIND_KERNEL, op: 'linear-forward', scheme: 'pattern', shape: [1, 8, 8], density: 0.2 }, /no kernel for linear-forward/],
    [{ kind: BenchmarkKind.BENCHMARK_KIND_KERNEL, op: 'linear-forward', scheme: 'irregular', shape: [1, 8, 8], density: 0 }, /density must be in/],
    [{ kind: BenchmarkKind.BENCHMARK_KIND_KERNEL, op: 'linear-forward', scheme: 'irregular', shape: [1, 8, 8], density: 0.5, rules: { ...rules, percentiles: [150] } }, /percentile 150/],
  ])('should reject an invalid cell %#', (benchmark, message) => {
    expect(() => benchmarkRequestFromJobSpec(withDefaults('sparsefleet.v1.TrainingJobSpec', { benchmark }))).toThrow(message);
  });

  it('should reject a spec without a benchmark', () => {
    expect(() => benchmarkRequestFromJobSpec(withDefaults('sparsefleet.v1.TrainingJobSpec', { model: 'mlp' }))).toThrow(/carries no benchmark/);
  });
});
