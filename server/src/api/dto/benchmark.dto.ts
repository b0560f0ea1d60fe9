// REST shapes of benchmark specs and results (inside job specs, job results and campaign results). Field names are
// the REST contract's own: they match the wire's camelCase names except where the wire's JavaScript name is odd
// (`loadAverage1m` here, `loadAverage_1m` on the wire). Enums travel as their wire numbers, as they always have.
import { z } from 'zod';
import { restDto } from './registry.js';

const int = z.number().int();

export const RunRulesDto = restDto(
  'RunRules',
  z.strictObject({
    warmupIterations: int,
    minIterations: int,
    minDurationMs: int,
    percentiles: z.array(z.number()),
    cooldownMs: int,
    sustainedDurationMs: int,
    driftWindowMs: int,
  }),
  'Run rules of a benchmark: warm-up, minimum iterations and duration, percentiles, sustained phase.',
);
export type RunRulesDto = z.output<typeof RunRulesDto>;

export const BenchmarkSpecDto = restDto(
  'BenchmarkSpec',
  z.strictObject({
    /** BenchmarkKind: 1 kernel, 2 training step, 3 training run. */
    kind: int,
    campaignId: z.string(),
    cellId: z.string(),
    op: z.string(),
    scheme: z.string(),
    shape: z.array(int),
    density: z.number(),
    rules: RunRulesDto.optional(),
  }),
  'What a benchmark-campaign cell measures. kind: 1 kernel, 2 training step, 3 training run.',
);
export type BenchmarkSpecDto = z.output<typeof BenchmarkSpecDto>;

export const PercentileDto = restDto('Percentile', z.strictObject({ percentile: z.number(), value: z.number() }));
export type PercentileDto = z.output<typeof PercentileDto>;

export const DeviceConditionsDto = restDto(
  'DeviceConditions',
  z.strictObject({
    /** Negative when unknown. */
    temperatureCelsius: z.number(),
    /** 0..1, negative when unknown. */
    batteryLevel: z.number(),
    charging: z.boolean(),
    freeMemoryBytes: int,
    loadAverage1m: z.number(),
    atMs: int,
  }),
  'The device at the start or end of a measurement. Negative temperature or battery level: unknown.',
);
export type DeviceConditionsDto = z.output<typeof DeviceConditionsDto>;

export const DriftSampleDto = restDto(
  'DriftSample',
  z.strictObject({
    /** Since the start of the sustained phase. */
    offsetMs: int,
    medianMs: z.number(),
    iterations: int,
    temperatureCelsius: z.number(),
    batteryLevel: z.number(),
  }),
);
export type DriftSampleDto = z.output<typeof DriftSampleDto>;

export const BenchmarkResultDto = restDto(
  'BenchmarkResult',
  z.strictObject({
    campaignId: z.string(),
    cellId: z.string(),
    /** BenchmarkKind: 1 kernel, 2 training step, 3 training run. */
    kind: int,
    iterations: int,
    durationMs: int,
    latencyMs: z.array(PercentileDto),
    meanMs: z.number(),
    minMs: z.number(),
    denseLatencyMs: z.array(PercentileDto),
    speedup: z.number(),
    gflops: z.number(),
    peakMemoryBytes: int,
    modelStateBytes: int,
    denseModelStateBytes: int,
    /** Training runs; negative otherwise. */
    testAccuracy: z.number(),
    drift: z.array(DriftSampleDto),
    valid: z.boolean(),
    invalidReasons: z.array(z.string()),
    start: DeviceConditionsDto.optional(),
    end: DeviceConditionsDto.optional(),
    backend: z.string(),
    compute: z.string(),
    agentVersion: z.string(),
    agentCommit: z.string(),
    baseline: z.string(),
    baselinePath: z.string(),
    tfjsLatencyMs: z.array(PercentileDto),
    speedupVsTfjs: z.number(),
    tfjsPath: z.string(),
    threads: int,
    baselineThreads: int,
    tfjsThreads: int,
    rules: RunRulesDto.optional(),
  }),
  'One measured benchmark cell on one device: latency percentiles, the dense and tfjs baselines, memory, validity ' +
    'and the device conditions at start and end.',
);
export type BenchmarkResultDto = z.output<typeof BenchmarkResultDto>;
