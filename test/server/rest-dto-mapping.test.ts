// The REST DTOs copy every field of the wire messages they mirror, under REST's own names: a wire field added later
// fails here until its DTO names it (or the mapping decides to keep it internal), and a renamed generated name
// (`loadAverage_1m`) never reaches REST. Each mapped object also passes its strict DTO schema.
import { describe, expect, it } from 'vitest';
import { withDefaults, type ProtoTypeName } from '../../protocol/src/index.js';
import {
  BenchmarkResultDto,
  CampaignSpecDto,
  DeviceFactsDto,
  JobProgressDto,
  JobResultDto,
  JobSpecDto,
  MaskAtDto,
  MaskStatsDto,
  TelemetryDto,
} from '../../server/src/api/dto/index.js';
import { toBenchmarkResultDto } from '../../server/src/api/mapping/benchmark.mapping.js';
import { toCampaignSpecDto } from '../../server/src/api/mapping/campaign.mapping.js';
import { parseCampaignSpec } from '../../server/src/campaigns/campaign-spec.js';
import { toDeviceFactsDto, toTelemetryDto } from '../../server/src/api/mapping/device.mapping.js';
import { toJobProgressDto, toJobResultDto, toJobSpecDto } from '../../server/src/api/mapping/job.mapping.js';
import { toMaskAtDto, toMaskStatsDto } from '../../server/src/api/mapping/mask.mapping.js';
import type { MaskAtView, MaskStatsView } from '../../server/src/masks/mask.service.js';

/** REST names that differ from the generated code's. */
const REST_NAMES: Readonly<Record<string, string>> = { loadAverage_1m: 'loadAverage1m' };

/** Every field path of a plain object (`a.b`, `list[].c`), sorted; `rename` maps a generated name to REST's. */
function fieldPaths(value: unknown, rename: Readonly<Record<string, string>> = {}, prefix = ''): string[] {
  if (Array.isArray(value)) return value.length === 0 ? [prefix] : fieldPaths(value[0], rename, `${prefix}[]`);
  if (value === null || typeof value !== 'object') return [prefix];
  const entries = Object.entries(value as Record<string, unknown>).filter(([, field]) => field !== undefined);
  if (entries.length === 0) return [prefix];
  return entries.flatMap(([key, field]) => fieldPaths(field, rename, prefix ? `${prefix}.${rename[key] ?? key}` : (rename[key] ?? key))).sort();
}

/** A wire message with every sub-message and list present (one element each), every scalar at its default. */
function full<N extends ProtoTypeName>(type: N, partial: object) {
  return withDefaults(type, partial as never);
}

const RULES = { percentiles: [50] };
const CONDITIONS = { loadAverage_1m: 0.5, freeMemoryBytes: 1 };
const BENCHMARK_RESULT = {
  kind: 1,
  latencyMs: [{ percentile: 50, value: 1 }],
  denseLatencyMs: [{ percentile: 50, value: 2 }],
  tfjsLatencyMs: [{ percentile: 50, value: 3 }],
  drift: [{ offsetMs: 1, medianMs: 2 }],
  invalidReasons: ['slow'],
  start: CONDITIONS,
  end: CONDITIONS,
  rules: RULES,
};
const LAYERS = [{ layer: 'dense1', density: 0.5, active: 5, total: 10 }];

describe('REST DTO mapping', () => {
  it('should carry every wire field of a device\'s facts and telemetry, the load average as loadAverage1m', () => {
    const facts = full('sparsefleet.v1.DeviceFacts', { backendsAvailable: ['wasm'], labels: { site: 'lab' } });
    const telemetry = full('sparsefleet.v1.Telemetry', { loadAverage_1m: 1.25, visibility: 'hidden', thermalState: 'serious' });

    const factsDto = DeviceFactsDto.parse(toDeviceFactsDto(facts));
    const telemetryDto = TelemetryDto.parse(toTelemetryDto(telemetry));

    expect(fieldPaths(factsDto)).toEqual(fieldPaths(facts));
    expect(fieldPaths(telemetryDto)).toEqual(fieldPaths(telemetry, REST_NAMES));
    expect(telemetryDto.loadAverage1m).toBe(1.25);
    expect(telemetryDto).not.toHaveProperty('loadAverage_1m');
    expect(telemetryDto).toMatchObject({ visibility: 'hidden', thermalState: 'serious' });
    // A Node agent has no page and no thermal state: REST says null rather than leaving the fields out.
    const headless = TelemetryDto.parse(toTelemetryDto(full('sparsefleet.v1.Telemetry', {})));
    expect(headless).toMatchObject({ visibility: null, thermalState: null });
  });

  it('should carry every wire field of a progress report and a result, benchmark and device conditions included', () => {
    const progress = full('sparsefleet.v1.ProgressReport', { jobId: 'j', layers: LAYERS });
    const result = full('sparsefleet.v1.JobResult', {
      jobId: 'j',
      outcome: 1,
      layers: LAYERS,
      history: [{ epoch: 1 }],
      benchmark: BENCHMARK_RESULT,
    });
    const received = { deviceId: 'd', receivedAt: '2026-05-01T12:00:00.000Z' };

    const progressDto = JobProgressDto.parse(toJobProgressDto({ ...progress, ...received }));
    const resultDto = JobResultDto.parse(toJobResultDto({ ...result, ...received }));

    expect(fieldPaths(progressDto)).toEqual(fieldPaths({ ...progress, ...received }));
    expect(fieldPaths(resultDto)).toEqual(fieldPaths({ ...result, ...received }, REST_NAMES));
    expect(resultDto.outcome).toBe(1);
    expect(resultDto.benchmark?.start?.loadAverage1m).toBe(0.5);
    expect(BenchmarkResultDto.parse(toBenchmarkResultDto(result.benchmark!)).drift).toEqual([
      { offsetMs: 1, medianMs: 2, iterations: 0, temperatureCelsius: 0, batteryLevel: 0 },
    ]);
  });

  it.each(['dst', 'granet', 'mest', 'dsb', 'vrpge'] as const)('should carry every field of a job spec with a %s schedule', (kind) => {
    const spec = full('sparsefleet.v1.TrainingJobSpec', {
      model: 'mlp',
      dataset: { name: 'synthetic' },
      schedule: { [kind]: kind === 'mest' ? { lowerBound: [0.9], upperBound: [0.95], decayEpochs: [3] } : {} },
      hyper: { extra: { warmup: 2 } },
      dataEfficiency: { removeCount: 1 },
      benchmark: { kind: 2, shape: [8, 16, 16], rules: RULES },
      maskReporting: { cadence: 2, fullEvery: 5 },
      initialMask: { jobId: 'earlier', step: 40, resolvedStep: 32 },
      forgettingReporting: { cadence: 2, dataset: { name: 'fashion-mnist', contentHash: 'ab'.repeat(32), size: 60000 } },
    });

    const dto = JobSpecDto.parse(toJobSpecDto(spec));

    expect(dto.schedule?.kind).toBe(kind);
    expect(fieldPaths(dto)).toEqual(fieldPaths(spec));
  });

  it.each([
    {
      name: 'kernel',
      measure: 'kernel',
      matrix: { op: 'linear-forward', shape: [[8, 16, 16]], scheme: 'block', density: [0.1], backend: 'wasm' },
      devices: { selector: { labels: { site: 'lab' }, backend: 'wasm', minMemoryMb: 64 }, placement: 'every', count: 2 },
      runRules: { sustained: { durationMs: 1000, windowMs: 100 } },
      maxAttempts: 2,
    },
    {
      name: 'training',
      measure: 'training-run',
      matrix: { model: 'mlp', method: 'rigl', density: 0.5, batchSize: 32 },
      base: { data: { name: 'synthetic' } },
      devices: { placement: 'spread', count: 3 },
      report: { masks: 'every', fullMaskEvery: 4 },
    },
  ])('should carry every field of a $measure campaign spec as the coordinator normalised it', (input) => {
    const spec = parseCampaignSpec(input);

    const dto = CampaignSpecDto.parse(toCampaignSpecDto(spec));

    expect(fieldPaths(dto)).toEqual(fieldPaths(spec));
  });

  it("should carry every field of a job's mask at a step and of its mask stats, values unchanged", () => {
    const maskAt: MaskAtView = {
      jobId: 'j',
      step: 15,
      updateStep: 10,
      attempt: 2,
      updateIndex: 3,
      epoch: 1,
      active: 3,
      total: 12,
      density: 0.25,
      layers: [{ layer: 'a', shape: [2, 4, 1, 1], size: 8, active: 2, density: 0.25, checksum: '0a1b2c3d', encoding: 'indices', data: 'AQI=' }],
    };
    const entry = { attempt: 2, updateIndex: 3, step: 10, epoch: 1, active: 3, total: 12, density: 0.25, storedBytes: 9 };
    const stats: MaskStatsView = {
      jobId: 'j',
      updates: [{ ...entry, pruned: 1, grown: 1, churn: 1 / 3, everActive: 5, itopRate: 5 / 12 }],
      diverged: [{ attempt: 1, updateIndex: 2, step: 8, reason: 'CRC-32 differs' }],
      storedBytes: 40,
    };
    const firstUpdate: MaskStatsView = { ...stats, updates: [{ ...entry, pruned: null, grown: null, churn: null, everActive: null, itopRate: null }] };

    const maskAtDto = MaskAtDto.parse(toMaskAtDto(maskAt));
    const statsDto = MaskStatsDto.parse(toMaskStatsDto(stats));

    expect(fieldPaths(maskAtDto)).toEqual(fieldPaths(maskAt));
    expect(fieldPaths(statsDto)).toEqual(fieldPaths(stats));
    expect(maskAtDto).toEqual(maskAt);
    expect(statsDto).toEqual(stats);
    expect(MaskStatsDto.parse(toMaskStatsDto(firstUpdate))).toEqual(firstUpdate);
  });

  it('should leave out a schedule with no member set', () => {
    const spec = full('sparsefleet.v1.TrainingJobSpec', { model: 'mlp', schedule: {} });
    expect(JobSpecDto.parse(toJobSpecDto(spec)).schedule).toBeUndefined();
  });
});
