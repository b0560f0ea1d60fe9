import { describe, expect, it } from 'vitest';
import { BenchmarkKind, decodeProto, encodeProto, withDefaults } from '../../protocol/src/index.js';
import { JobAssignment, JobOutcome, JobResult, type ProgressReport } from '../../protocol/src/index.js';
import { JobRunner, type JobFinished } from '../../client/src/agent/job-runner.js';
import type { OutboundReport } from '../../client/src/agent/outbox.js';
import { localTrainingEngine, type TrainingEngine } from '../../client/src/agent/training-engine.js';
import { benchmarkRequestFromJobSpec } from '../../client/src/engine/bench/request.js';
import type { BenchmarkCallbacks, BenchmarkOutcome, BenchmarkRequest } from '../../client/src/engine/bench/types.js';
import { FakeEngine } from './fake-engine.js';

const RULES = { warmupIterations: 1, minIterations: 4, minDurationMs: 0, percentiles: [50, 90], cooldownMs: 0, sustainedDurationMs: 0, driftWindowMs: 0 };

function kernelAssignment(overrides: { op?: string } = {}): JobAssignment {
  return withDefaults('sparsefleet.v1.JobAssignment', {
    jobId: 'bench-1',
    attempt: 1,
    spec: {
      model: 'mlp',
      seed: 3,
      benchmark: {
        kind: BenchmarkKind.BENCHMARK_KIND_KERNEL,
        campaignId: 'camp-1',
        cellId: 'cell-7',
        op: overrides.op ?? 'linear-forward',
        scheme: 'irregular',
        shape: [8, 32, 32],
        density: 0.25,
        rules: RULES,
      },
    },
  });
}

function cannedOutcome(request: BenchmarkRequest): BenchmarkOutcome {
  const conditions = { temperatureCelsius: -1, batteryLevel: -1, charging: false, freeMemoryBytes: 1000, loadAverage_1m: 0.5, atMs: 1 };
  return {
    campaignId: request.campaignId,
    cellId: request.cellId,
    kind: request.kind,
    latency: { iterations: 4, durationMs: 8, percentiles: [{ percentile: 50, value: 2 }, { percentile: 90, value: 3 }], meanMs: 2.2, minMs: 1.5 },
    dense: { iterations: 4, durationMs: 20, percentiles: [{ percentile: 50, value: 5 }, { percentile: 90, value: 6 }], meanMs: 5, minMs: 4 },
    baseline: 'dense-simd-kernel',
    speedup: 2.5,
    tfjs: { iterations: 4, durationMs: 80, percentiles: [{ percentile: 50, value: 20 }, { percentile: 90, value: 24 }], meanMs: 21, minMs: 19 },
    speedupVsTfjs: 10,
    threads: { measured: 1, baseline: 1, tfjs: 2 },
    rules: { ...request.rules, warmupIterations: 3.4 },
    gflops: 1.25,
    peakMemoryBytes: 1e6,
    modelStateBytes: 0,
    denseModelStateBytes: 0,
    testAccuracy: -1,
    drift: [{ offsetMs: 0, medianMs: 2, iterations: 4, temperatureCelsius: -1, batteryLevel: -1 }],
    valid: true,
    invalidReasons: [],
    start: conditions,
    end: { ...conditions, atMs: 9 },
    backend: 'wasm',
    compute: 'sparse-kernels',
    details: { densePath: 'channel d=1', tfjsPath: 'matMul(x,w)' },
  };
}

/** The fake training engine plus a scriptable benchmark: progress ticks, then a canned outcome (or a hang until aborted). */
class FakeBenchEngine extends FakeEngine implements TrainingEngine {
  readonly requests: BenchmarkRequest[] = [];
  hangBenchmark = false;

  toBenchmarkRequest = benchmarkRequestFromJobSpec;

  runBenchmark = async (request: BenchmarkRequest, callbacks: BenchmarkCallbacks): Promise<BenchmarkOutcome> => {
    this.requests.push(request);
    for (let i = 1; i <= 2; i++) {
      await new Promise((resolve) => setTimeout(resolve, 1));
      callbacks.signal?.throwIfAborted();
      callbacks.onProgress?.({ phase: 'measuring', side: 'sparse', iterations: 2 * i, targetIterations: 4, elapsedMs: i, targetMs: 0 });
    }
    while (this.hangBenchmark) {
      await new Promise((resolve) => setTimeout(resolve, 2));
      callbacks.signal?.throwIfAborted();
    }
    return cannedOutcome(request);
  };
}

function setup(engine: TrainingEngine) {
  const reports: OutboundReport[] = [];
  const sut = new JobRunner({ engine: () => engine, report: (report) => reports.push(report), backend: () => 'wasm' });
  const finished = new Promise<JobFinished>((resolve) => sut.on('finished', resolve));
  return { sut, reports, finished };
}

describe(`${JobRunner.name} (benchmark cells)`, () => {
  it('should run a benchmark assignment, stream benchmarking progress and report JobResult.benchmark', async () => {
    const engine = new FakeBenchEngine();
    const { sut, reports, finished } = setup(engine);
    sut.accept(kernelAssignment());
    const done = await finished;
    expect(done.outcome).toBe('succeeded');
    expect(engine.configs).toHaveLength(0);
    expect(engine.requests[0]).toMatchObject({ kind: 'kernel', op: 'linear-forward', cellId: 'cell-7' });
    const progress = reports.filter((r) => r.type === 'sparsefleet.v1.ProgressReport').map((r) => r.message as ProgressReport);
    expect(progress.map((p) => [p.phase, p.step, p.totalSteps])).toEqual([['benchmarking', 2, 4], ['benchmarking', 4, 4]]);
    const last = reports.at(-1)!;
    expect(last.type).toBe('sparsefleet.v1.JobResult');
    // Through the wire encoding, as the coordinator will see it.
    const result = decodeProto('sparsefleet.v1.JobResult', encodeProto('sparsefleet.v1.JobResult', last.message as JobResult));
    expect(result).toMatchObject({ outcome: JobOutcome.JOB_OUTCOME_SUCCEEDED, sequence: 3, backend: 'wasm', stepMsP50: 2, stepMsP90: 3 });
    expect(result.benchmark).toMatchObject({
      campaignId: 'camp-1',
      cellId: 'cell-7',
      kind: BenchmarkKind.BENCHMARK_KIND_KERNEL,
      iterations: 4,
      latencyMs: [{ percentile: 50, value: 2 }, { percentile: 90, value: 3 }],
      denseLatencyMs: [{ percentile: 50, value: 5 }, { percentile: 90, value: 6 }],
      speedup: 2.5,
      valid: true,
      compute: 'sparse-kernels',
      start: { freeMemoryBytes: 1000, atMs: 1 },
      end: { atMs: 9 },
    });
    // The fair baseline and the tfjs figure, labelled, with each side's threads and the rules as applied.
    expect(result.benchmark).toMatchObject({
      baseline: 'dense-simd-kernel',
      baselinePath: 'channel d=1',
      tfjsLatencyMs: [{ percentile: 50, value: 20 }, { percentile: 90, value: 24 }],
      speedupVsTfjs: 10,
      tfjsPath: 'matMul(x,w)',
      threads: 1,
      baselineThreads: 1,
      tfjsThreads: 2,
    });
    expect(result.benchmark?.rules).toEqual({ ...RULES, warmupIterations: 3 });
    expect(result.benchmark?.drift).toHaveLength(1);
    expect(result.benchmark?.agentVersion).not.toBe('');
    expect(result.benchmark?.agentCommit).not.toBe('');
  });

  it('should give training benchmark cells the agent backend when the spec names none', async () => {
    const engine = new FakeBenchEngine();
    const { sut, finished } = setup(engine);
    sut.accept(withDefaults('sparsefleet.v1.JobAssignment', { jobId: 'b2', attempt: 1, spec: { model: 'mlp', benchmark: { kind: BenchmarkKind.BENCHMARK_KIND_TRAINING_STEP } } }));
    await finished;
    const request = engine.requests[0];
    expect(request.kind).toBe('training-step');
    expect(request.kind !== 'kernel' && request.config.backend).toBe('wasm');
  });

  it('should report CANCELLED without a benchmark when the cell is cancelled', async () => {
    const engine = new FakeBenchEngine();
    engine.hangBenchmark = true;
    const { sut, reports, finished } = setup(engine);
    sut.accept(kernelAssignment());
    await new Promise((resolve) => setTimeout(resolve, 20));
    expect(sut.cancel({ jobId: 'bench-1', reason: 'campaign cancelled' })).toBe(true);
    const done = await finished;
    expect(done).toMatchObject({ outcome: 'cancelled', error: 'campaign cancelled' });
    const result = reports.at(-1)!.message as JobResult;
    expect(result.outcome).toBe(JobOutcome.JOB_OUTCOME_CANCELLED);
    expect(result.benchmark).toBeUndefined();
  });

  it('should fail a cell with an invalid benchmark spec, naming the problem', async () => {
    const { sut, reports, finished } = setup(new FakeBenchEngine());
    sut.accept(kernelAssignment({ op: 'fft' }));
    const done = await finished;
    expect(done.outcome).toBe('failed');
    expect((reports.at(-1)!.message as JobResult).error).toMatch(/invalid benchmark spec: op must be one of/);
  });

  it('should fail a cell when the engine cannot benchmark', async () => {
    const { sut, reports, finished } = setup(new FakeEngine());
    sut.accept(kernelAssignment());
    await finished;
    expect((reports.at(-1)!.message as JobResult)).toMatchObject({ outcome: JobOutcome.JOB_OUTCOME_FAILED, error: "this agent's engine cannot run benchmark cells" });
  });

  it('should measure a real kernel cell with the local engine', async () => {
    const { sut, reports, finished } = setup(localTrainingEngine);
    sut.accept(kernelAssignment());
    const done = await finished;
    expect(done.outcome).toBe('succeeded');
    const result = reports.at(-1)!.message as JobResult;
    expect(result.benchmark?.valid).toBe(true);
    expect(result.benchmark?.speedup).toBeGreaterThan(0);
    expect(result.benchmark?.latencyMs[0].value).toBeGreaterThan(0);
    expect(result.benchmark?.backend).toBe('wasm');
    expect(result.benchmark?.start?.atMs).toBeGreaterThan(0);
    expect(result.benchmark).toMatchObject({ baseline: 'dense-simd-kernel', threads: 1, baselineThreads: 1, tfjsThreads: 1 });
    expect(['channel d=1', 'block4 d=1']).toContain(result.benchmark?.baselinePath);
    expect(result.benchmark?.tfjsPath).toBe('matMul(x,w)');
    expect(result.benchmark?.tfjsLatencyMs.map((p) => p.percentile)).toEqual([50, 90]);
    expect(result.benchmark?.speedupVsTfjs).toBeGreaterThan(0);
    expect(result.benchmark?.rules).toEqual(RULES);
  });
});
