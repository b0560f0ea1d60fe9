// Benchmark progress and outcomes -> wire messages (ProgressReport with phase "benchmarking", JobResult with
// `benchmark` filled). Pure; sequence numbers come from the caller.
import {
  BenchmarkKind,
  type BenchmarkResult,
  type DeviceConditions as WireConditions,
  type RunRules as WireRunRules,
} from '../../../protocol/src/index.js';
import { JobOutcome, type JobResult, type ProgressReport } from '../../../protocol/src/index.js';
import type { BenchmarkKindName, BenchmarkOutcome, BenchmarkProgress, DeviceConditions, LatencySummary, RunRules } from '../engine/bench/types.js';
import type { ReportIdentity } from './report-mapping.js';
import { emptyResult } from './report-mapping.js';

export const BENCHMARK_PHASE = 'benchmarking';

export interface AgentBuild {
  readonly agentVersion: string;
  readonly agentCommit: string;
}

const KIND: Readonly<Record<BenchmarkKindName, BenchmarkKind>> = {
  kernel: BenchmarkKind.BENCHMARK_KIND_KERNEL,
  'training-step': BenchmarkKind.BENCHMARK_KIND_TRAINING_STEP,
  'training-run': BenchmarkKind.BENCHMARK_KIND_TRAINING_RUN,
};

/** step = iterations measured so far on the current side, totalSteps = the rules' minimum (the target). */
export function toBenchmarkProgressReport(identity: ReportIdentity, progress: BenchmarkProgress): ProgressReport {
  return {
    jobId: identity.jobId,
    attempt: identity.attempt,
    sequence: identity.sequence,
    epoch: 0,
    step: progress.iterations,
    totalSteps: progress.targetIterations,
    loss: -1,
    trainAccuracy: -1,
    testAccuracy: -1,
    density: 0,
    stepMsP50: 0,
    stepMsP90: 0,
    peakMemoryBytes: 0,
    maskUpdates: 0,
    layers: [],
    phase: BENCHMARK_PHASE,
    elapsedMs: Math.round(progress.elapsedMs),
  };
}

export function toBenchmarkResult(outcome: BenchmarkOutcome, build: AgentBuild): BenchmarkResult {
  return {
    campaignId: outcome.campaignId,
    cellId: outcome.cellId,
    kind: KIND[outcome.kind],
    iterations: outcome.latency.iterations,
    durationMs: Math.round(outcome.latency.durationMs),
    latencyMs: percentiles(outcome.latency),
    meanMs: outcome.latency.meanMs,
    minMs: outcome.latency.minMs,
    denseLatencyMs: outcome.dense === undefined ? [] : percentiles(outcome.dense),
    speedup: finiteOr(outcome.speedup, 0),
    gflops: finiteOr(outcome.gflops, 0),
    peakMemoryBytes: Math.round(outcome.peakMemoryBytes),
    modelStateBytes: Math.round(outcome.modelStateBytes),
    denseModelStateBytes: Math.round(outcome.denseModelStateBytes),
    testAccuracy: outcome.testAccuracy,
    drift: outcome.drift.map((d) => ({ ...d, offsetMs: Math.round(d.offsetMs) })),
    valid: outcome.valid,
    invalidReasons: [...outcome.invalidReasons],
    start: conditions(outcome.start),
    end: conditions(outcome.end),
    backend: outcome.backend,
    compute: outcome.compute,
    agentVersion: build.agentVersion,
    agentCommit: build.agentCommit,
    baseline: outcome.baseline ?? '',
    baselinePath: detail(outcome, 'densePath'),
    tfjsLatencyMs: outcome.tfjs === undefined ? [] : percentiles(outcome.tfjs),
    speedupVsTfjs: finiteOr(outcome.speedupVsTfjs, 0),
    tfjsPath: detail(outcome, 'tfjsPath'),
    threads: count(outcome.threads.measured),
    baselineThreads: count(outcome.threads.baseline),
    tfjsThreads: count(outcome.threads.tfjs),
    rules: runRules(outcome.rules),
  };
}

/** A SUCCEEDED JobResult carrying the benchmark (its top-level step times and accuracy mirror the measurement). */
export function toBenchmarkJobResult(identity: ReportIdentity, outcome: BenchmarkOutcome, build: AgentBuild, wallMs: number): JobResult {
  const at = (q: number) => outcome.latency.percentiles.find((p) => p.percentile === q)?.value ?? 0;
  return {
    ...emptyResult(identity, JobOutcome.JOB_OUTCOME_SUCCEEDED, ''),
    backend: outcome.backend,
    testAccuracy: outcome.testAccuracy,
    steps: outcome.latency.iterations,
    wallMs: Math.round(wallMs),
    stepMsP50: at(50),
    stepMsP90: at(90),
    peakRssBytes: Math.round(outcome.peakMemoryBytes),
    agentVersion: build.agentVersion,
    benchmark: toBenchmarkResult(outcome, build),
  };
}

function percentiles(summary: LatencySummary): { percentile: number; value: number }[] {
  return summary.percentiles.map((p) => ({ percentile: p.percentile, value: p.value }));
}

function conditions(c: DeviceConditions): WireConditions {
  return {
    temperatureCelsius: c.temperatureCelsius,
    batteryLevel: c.batteryLevel,
    charging: c.charging,
    freeMemoryBytes: Math.round(c.freeMemoryBytes),
    loadAverage_1m: c.loadAverage_1m,
    atMs: Math.round(c.atMs),
  };
}

/** The rules as the agent applied them; uint32 fields rounded and clamped. */
function runRules(rules: RunRules): WireRunRules {
  return {
    warmupIterations: count(rules.warmupIterations),
    minIterations: count(rules.minIterations),
    minDurationMs: count(rules.minDurationMs),
    percentiles: [...rules.percentiles],
    cooldownMs: count(rules.cooldownMs),
    sustainedDurationMs: count(rules.sustainedDurationMs),
    driftWindowMs: count(rules.driftWindowMs),
  };
}

/** A string detail (e.g. the baseline variant that was measured), '' when absent. */
function detail(outcome: BenchmarkOutcome, key: string): string {
  const value = outcome.details[key];
  return value === undefined ? '' : String(value);
}

function count(value: number): number {
  return Number.isFinite(value) ? Math.min(0xffffffff, Math.max(0, Math.round(value))) : 0;
}

function finiteOr(value: number, fallback: number): number {
  return Number.isFinite(value) ? value : fallback;
}
