// The report of a campaign as one data object: a row per recorded (cell, device) result with the cell's
// parameters, the device's facts and every measured number exactly as stored. JSON, CSV and HTML are all
// rendered from this object, so the three formats cannot disagree. Pure.
import type { BenchmarkResult, DriftSample, Percentile, RunRules } from '../../../../protocol/src/index.js';
import { expandMatrix, type CampaignCell } from '../campaign-matrix.js';
import type { CampaignSpec } from '../campaign-spec.js';
import { cellTrainConfig } from '../cell-job-spec.js';
import type { CampaignResultView } from '../campaign-views.js';

export type ReportValue = string | number | boolean | null;

/**
 * A drift sample as the report publishes it. The report (JSON over REST, HTML) is a format of its own: its fields are
 * named here and copied one by one, so a change in the generated wire code does not change it.
 */
export interface ReportDriftSample {
  /** Since the start of the sustained phase. */
  readonly offsetMs: number;
  readonly medianMs: number;
  readonly iterations: number;
  readonly temperatureCelsius: number;
  readonly batteryLevel: number;
}

export interface ReportRow {
  /** One value per entry of `CampaignReport.columns`. */
  readonly values: Readonly<Record<string, ReportValue>>;
  /** Sustained-mode drift samples (JSON and HTML only). */
  readonly drift: ReportDriftSample[];
}

export interface CampaignReport {
  readonly campaign: {
    readonly id: string;
    readonly name: string;
    readonly measure: string;
    readonly state: string;
    readonly createdAt: string;
    readonly finishedAt: string | null;
    readonly spec: CampaignSpec;
  };
  readonly columns: string[];
  readonly rows: ReportRow[];
  /** Training-run cells that reported masks: churn and ITOP exploration rate per update (JSON and HTML only). */
  readonly masks?: ReportMaskSeries[];
}

/** The mask history of one result's job (GET /api/jobs/:id/mask-stats). */
export interface ReportMaskSeries {
  readonly jobId: string;
  readonly cellId: string;
  readonly cell: string;
  readonly deviceId: string;
  readonly deviceName: string;
  readonly updates: readonly ReportMaskUpdate[];
}

export interface ReportMaskUpdate {
  readonly step: number;
  readonly density: number;
  /** Fraction of the active weights that changed since the previous update (null for the first). */
  readonly churn: number | null;
  /** Fraction of the weights ever active so far. */
  readonly itopRate: number | null;
}

export interface ReportSource {
  readonly id: string;
  readonly name: string;
  readonly measure: string;
  readonly state: string;
  readonly createdAt: string;
  readonly finishedAt: string | null;
  readonly spec: CampaignSpec;
  readonly results: readonly CampaignResultView[];
  /** The campaign's cells when the caller already has them (a CampaignView does); else the matrix is expanded. */
  readonly cells?: readonly CampaignCell[];
  /** Mask updates per job id, for the jobs that reported masks. */
  readonly maskStats?: ReadonlyMap<string, { readonly updates: readonly ReportMaskUpdate[] }>;
}

const FIXED_COLUMNS = [
  'cellId', 'cell', 'op', 'shape', 'model', 'method', 'scheme', 'density', 'batchSize',
  'deviceId', 'deviceName', 'platform', 'arch', 'cpuModel', 'deviceModel', 'cores', 'memoryBytes', 'runtime',
  'wasmSimd', 'wasmThreads', 'backend', 'compute', 'baseline', 'baselinePath', 'tfjsPath',
  'threads', 'baselineThreads', 'tfjsThreads', 'runRules', 'agentVersion', 'agentCommit',
  'jobState', 'attempt', 'valid', 'invalidReasons',
  'iterations', 'durationMs', 'meanMs', 'minMs',
] as const;

const TRAILING_COLUMNS = [
  'speedup', 'speedupVsTfjs', 'gflops', 'peakMemoryBytes', 'modelStateBytes', 'denseModelStateBytes', 'testAccuracy',
  'startTemperatureC', 'endTemperatureC', 'startBatteryLevel', 'endBatteryLevel', 'startLoadAverage', 'endLoadAverage',
  'driftSamples', 'recordedAt',
] as const;

/**
 * `latencyP50Ms`, `latencyP99_9Ms`: percentile columns named after the run rules' percentiles, for the measured side
 * (latency), the same-harness dense baseline the speedup divides by (denseLatency) and the stock tfjs op (tfjsLatency).
 */
export function percentileColumn(prefix: 'latency' | 'denseLatency' | 'tfjsLatency', percentile: number): string {
  return `${prefix}P${String(percentile).replace('.', '_')}Ms`;
}

export function reportColumns(percentiles: readonly number[]): string[] {
  return [
    ...FIXED_COLUMNS,
    ...percentiles.map((p) => percentileColumn('latency', p)),
    ...percentiles.map((p) => percentileColumn('denseLatency', p)),
    ...percentiles.map((p) => percentileColumn('tfjsLatency', p)),
    ...TRAILING_COLUMNS,
  ];
}

export function buildReport(source: ReportSource): CampaignReport {
  const { spec } = source;
  const cells = new Map((source.cells ?? expandMatrix(spec)).map((cell) => [cell.id, cell]));
  const columns = reportColumns(spec.runRules.percentiles);
  // The effective batch size depends on the cell's batchSize axis and the base only: one TrainConfig parse per
  // distinct axis value, not one per cell (a campaign has up to 5,000 cells).
  const batchSizes = new Map<number | undefined, number | null>();
  const batchSizeOf = (cell: CampaignCell): number | null => {
    if (!batchSizes.has(cell.params.batchSize)) batchSizes.set(cell.params.batchSize, effectiveBatchSize(spec, cell));
    return batchSizes.get(cell.params.batchSize)!;
  };
  const rows = source.results.map((result) => {
    const cell = cells.get(result.cellId);
    return toRow(result, cell, cell ? batchSizeOf(cell) : null, spec.runRules.percentiles);
  });
  const masks = maskSeries(source, cells);
  return {
    ...(masks.length > 0 ? { masks } : {}),
    campaign: {
      id: source.id,
      name: source.name,
      measure: source.measure,
      state: source.state,
      createdAt: source.createdAt,
      finishedAt: source.finishedAt,
      spec,
    },
    columns,
    rows,
  };
}

function maskSeries(source: ReportSource, cells: ReadonlyMap<string, CampaignCell>): ReportMaskSeries[] {
  const stats = source.maskStats;
  if (stats === undefined) return [];
  return source.results.flatMap((result) => {
    const updates = stats.get(result.jobId)?.updates ?? [];
    if (updates.length === 0) return [];
    return [
      {
        jobId: result.jobId,
        cellId: result.cellId,
        cell: cells.get(result.cellId)?.label ?? result.cellId,
        deviceId: result.deviceId,
        deviceName: result.device.displayName,
        updates: updates.map(({ step, density, churn, itopRate }) => ({ step, density, churn, itopRate })),
      },
    ];
  });
}

function toRow(
  result: CampaignResultView,
  cell: CampaignCell | undefined,
  batchSize: number | null,
  percentiles: readonly number[],
): ReportRow {
  const params = cell?.params;
  const bench: BenchmarkResult | null = result.benchmark;
  const device = result.device;
  const values: Record<string, ReportValue> = {
    cellId: result.cellId,
    cell: cell?.label ?? result.cellId,
    op: params?.op ?? null,
    shape: params?.shape ? params.shape.join('x') : null,
    model: params?.model ?? null,
    method: params?.method ?? null,
    scheme: params?.scheme ?? null,
    density: params?.density ?? null,
    batchSize,
    deviceId: result.deviceId,
    deviceName: device.displayName,
    platform: device.platform,
    arch: device.arch,
    cpuModel: device.cpuModel,
    deviceModel: device.deviceModel,
    cores: device.cores,
    memoryBytes: device.memoryBytes,
    runtime: device.runtime,
    wasmSimd: device.wasmSimd,
    wasmThreads: device.wasmThreads,
    backend: bench?.backend || device.chosenBackend || null,
    compute: bench?.compute || null,
    baseline: bench?.baseline || null,
    baselinePath: bench?.baselinePath || null,
    tfjsPath: bench?.tfjsPath || null,
    threads: positive(bench?.threads),
    baselineThreads: positive(bench?.baselineThreads),
    tfjsThreads: positive(bench?.tfjsThreads),
    runRules: bench?.rules ? describeRules(bench.rules) : null,
    agentVersion: bench?.agentVersion || device.agentVersion || null,
    agentCommit: bench?.agentCommit || null,
    jobState: result.jobState,
    attempt: result.attempt,
    valid: result.valid,
    invalidReasons: result.reasons.join('; '),
    iterations: bench ? bench.iterations : null,
    durationMs: bench ? bench.durationMs : null,
    meanMs: bench ? bench.meanMs : null,
    minMs: bench ? bench.minMs : null,
  };
  for (const p of percentiles) values[percentileColumn('latency', p)] = percentileValue(bench?.latencyMs, p);
  for (const p of percentiles) values[percentileColumn('denseLatency', p)] = percentileValue(bench?.denseLatencyMs, p);
  for (const p of percentiles) values[percentileColumn('tfjsLatency', p)] = percentileValue(bench?.tfjsLatencyMs, p);
  Object.assign(values, {
    speedup: bench ? bench.speedup : null,
    speedupVsTfjs: positive(bench?.speedupVsTfjs),
    gflops: bench ? bench.gflops : null,
    peakMemoryBytes: bench ? bench.peakMemoryBytes : null,
    modelStateBytes: bench ? bench.modelStateBytes : null,
    denseModelStateBytes: bench ? bench.denseModelStateBytes : null,
    testAccuracy: bench && bench.testAccuracy >= 0 ? bench.testAccuracy : null,
    startTemperatureC: known(bench?.start?.temperatureCelsius),
    endTemperatureC: known(bench?.end?.temperatureCelsius),
    startBatteryLevel: known(bench?.start?.batteryLevel),
    endBatteryLevel: known(bench?.end?.batteryLevel),
    startLoadAverage: bench?.start ? bench.start.loadAverage_1m : null,
    endLoadAverage: bench?.end ? bench.end.loadAverage_1m : null,
    driftSamples: bench ? bench.drift.length : 0,
    recordedAt: result.recordedAt,
  });
  return { values, drift: bench ? bench.drift.map(reportDriftSample) : [] };
}

function reportDriftSample(sample: DriftSample): ReportDriftSample {
  return {
    offsetMs: sample.offsetMs,
    medianMs: sample.medianMs,
    iterations: sample.iterations,
    temperatureCelsius: sample.temperatureCelsius,
    batteryLevel: sample.batteryLevel,
  };
}

/** A training cell's batch size: its matrix value, else the one `base` (or the engine default) gives. */
function effectiveBatchSize(spec: CampaignSpec, cell: CampaignCell): number | null {
  if (spec.measure === 'kernel') return null;
  try {
    return cellTrainConfig(spec, cell).batchSize;
  } catch {
    return null;
  }
}

function percentileValue(list: readonly Percentile[] | undefined, percentile: number): number | null {
  return list?.find((entry) => entry.percentile === percentile)?.value ?? null;
}

/** Device conditions use negative numbers for "unknown". */
function known(value: number | undefined): number | null {
  return value === undefined || value < 0 ? null : value;
}

/** Figures where 0 means "not measured" or "unknown" (thread counts, the tfjs speedup). */
function positive(value: number | undefined): number | null {
  return value === undefined || !(value > 0) ? null : value;
}

/** The run rules an agent applied, e.g. "warmup 2, ≥10 iterations, ≥200 ms, p50/90/99" (+ cooldown, sustained). */
export function describeRules(rules: RunRules): string {
  const parts = [`warmup ${rules.warmupIterations}`, `≥${rules.minIterations} iterations`, `≥${rules.minDurationMs} ms`];
  if (rules.percentiles.length > 0) parts.push(`p${rules.percentiles.join('/')}`);
  if (rules.cooldownMs > 0) parts.push(`cooldown ${rules.cooldownMs} ms`);
  if (rules.sustainedDurationMs > 0) parts.push(`sustained ${rules.sustainedDurationMs} ms / ${rules.driftWindowMs} ms windows`);
  return parts.join(', ');
}
