// Wire benchmark specs and results → their REST DTOs, field by field (a field the wire adds stays internal until a
// DTO names it).
import type {
  BenchmarkResult,
  BenchmarkSpec,
  DeviceConditions,
  DriftSample,
  Percentile,
  RunRules,
} from '../../../../protocol/src/index.js';
import type {
  BenchmarkResultDto,
  BenchmarkSpecDto,
  DeviceConditionsDto,
  DriftSampleDto,
  PercentileDto,
  RunRulesDto,
} from '../dto/benchmark.dto.js';

export function toRunRulesDto(rules: RunRules): RunRulesDto {
  return {
    warmupIterations: rules.warmupIterations,
    minIterations: rules.minIterations,
    minDurationMs: rules.minDurationMs,
    percentiles: [...rules.percentiles],
    cooldownMs: rules.cooldownMs,
    sustainedDurationMs: rules.sustainedDurationMs,
    driftWindowMs: rules.driftWindowMs,
  };
}

export function toBenchmarkSpecDto(spec: BenchmarkSpec): BenchmarkSpecDto {
  return {
    kind: spec.kind,
    campaignId: spec.campaignId,
    cellId: spec.cellId,
    op: spec.op,
    scheme: spec.scheme,
    shape: [...spec.shape],
    density: spec.density,
    rules: spec.rules ? toRunRulesDto(spec.rules) : undefined,
  };
}

export function toPercentileDto(entry: Percentile): PercentileDto {
  return { percentile: entry.percentile, value: entry.value };
}

export function toDeviceConditionsDto(conditions: DeviceConditions): DeviceConditionsDto {
  return {
    temperatureCelsius: conditions.temperatureCelsius,
    batteryLevel: conditions.batteryLevel,
    charging: conditions.charging,
    freeMemoryBytes: conditions.freeMemoryBytes,
    loadAverage1m: conditions.loadAverage_1m,
    atMs: conditions.atMs,
  };
}

export function toDriftSampleDto(sample: DriftSample): DriftSampleDto {
  return {
    offsetMs: sample.offsetMs,
    medianMs: sample.medianMs,
    iterations: sample.iterations,
    temperatureCelsius: sample.temperatureCelsius,
    batteryLevel: sample.batteryLevel,
  };
}

export function toBenchmarkResultDto(result: BenchmarkResult): BenchmarkResultDto {
  return {
    campaignId: result.campaignId,
    cellId: result.cellId,
    kind: result.kind,
    iterations: result.iterations,
    durationMs: result.durationMs,
    latencyMs: result.latencyMs.map(toPercentileDto),
    meanMs: result.meanMs,
    minMs: result.minMs,
    denseLatencyMs: result.denseLatencyMs.map(toPercentileDto),
    speedup: result.speedup,
    gflops: result.gflops,
    peakMemoryBytes: result.peakMemoryBytes,
    modelStateBytes: result.modelStateBytes,
    denseModelStateBytes: result.denseModelStateBytes,
    testAccuracy: result.testAccuracy,
    drift: result.drift.map(toDriftSampleDto),
    valid: result.valid,
    invalidReasons: [...result.invalidReasons],
    start: result.start ? toDeviceConditionsDto(result.start) : undefined,
    end: result.end ? toDeviceConditionsDto(result.end) : undefined,
    backend: result.backend,
    compute: result.compute,
    agentVersion: result.agentVersion,
    agentCommit: result.agentCommit,
    baseline: result.baseline,
    baselinePath: result.baselinePath,
    tfjsLatencyMs: result.tfjsLatencyMs.map(toPercentileDto),
    speedupVsTfjs: result.speedupVsTfjs,
    tfjsPath: result.tfjsPath,
    threads: result.threads,
    baselineThreads: result.baselineThreads,
    tfjsThreads: result.tfjsThreads,
    rules: result.rules ? toRunRulesDto(result.rules) : undefined,
  };
}
