// A campaign cell as a job: the TrainingJobSpec with `benchmark` filled (kind, campaign/cell id, kernel op and
// shape, scheme, density, run rules) and, for training measures, the cell's TrainConfig validated with the
// engine's own schema plus its memory estimate. Pure.
import {
  BenchmarkKind,
  MaskReportCadence,
  type MaskReporting,
  type RunRules,
  type TrainingJobSpec,
  withDefaults,
} from '../../../protocol/src/index.js';
import {
  estimateTrainingMemory,
  parseTrainConfig,
  trainConfigToJobSpec,
  TrainConfigError,
  type MemoryEstimate,
  type TrainConfig,
} from '../../../client/src/engine/spec.js';
import type { CampaignCell, CellParams } from './campaign-matrix.js';
import { CampaignSpecError, type CampaignMeasure, type CampaignSpec, type RunRulesSpec } from './campaign-spec.js';

export interface CellJob {
  readonly spec: TrainingJobSpec;
  /** Training measures only: what the job needs in memory (assignment adds headroom). */
  readonly memoryEstimate?: MemoryEstimate;
}

export const BENCHMARK_KIND_OF: Readonly<Record<CampaignMeasure, BenchmarkKind>> = {
  kernel: BenchmarkKind.BENCHMARK_KIND_KERNEL,
  'training-step': BenchmarkKind.BENCHMARK_KIND_TRAINING_STEP,
  'training-run': BenchmarkKind.BENCHMARK_KIND_TRAINING_RUN,
};

export function runRulesToProto(rules: RunRulesSpec): RunRules {
  return {
    warmupIterations: rules.warmupIterations,
    minIterations: rules.minIterations,
    minDurationMs: rules.minDurationMs,
    percentiles: [...rules.percentiles],
    cooldownMs: rules.cooldownMs,
    sustainedDurationMs: rules.sustained?.durationMs ?? 0,
    driftWindowMs: rules.sustained?.windowMs ?? 0,
  };
}

/** The cell's TrainConfig: `base` with the cell's axes on top. Throws CampaignSpecError naming cell and field. */
export function cellTrainConfig(spec: Pick<CampaignSpec, 'base'>, cell: CampaignCell): TrainConfig {
  const { params } = cell;
  const input: Record<string, unknown> = { ...(spec.base ?? {}), model: params.model, scheme: params.scheme, density: params.density };
  if (params.method !== undefined) input.method = params.method;
  if (params.batchSize !== undefined) input.batchSize = params.batchSize;
  if (params.backend !== undefined) input.backend = params.backend;
  try {
    return parseTrainConfig(input);
  } catch (error) {
    if (error instanceof TrainConfigError) {
      throw new CampaignSpecError(error.issues.map((issue) => `base (cell ${cell.label}): ${issue}`));
    }
    throw error;
  }
}

export function cellJob(spec: CampaignSpec, cell: CampaignCell, campaignId: string): CellJob {
  const benchmark = {
    kind: BENCHMARK_KIND_OF[spec.measure],
    campaignId,
    cellId: cell.id,
    op: cell.params.op ?? '',
    scheme: cell.params.scheme,
    shape: [...(cell.params.shape ?? [])],
    density: cell.params.density,
    rules: runRulesToProto(spec.runRules),
  };
  if (spec.measure === 'kernel') {
    return { spec: withDefaults('sparsefleet.v1.TrainingJobSpec', kernelJobFields(cell.params, benchmark)) };
  }
  const config = cellTrainConfig(spec, cell);
  const maskReporting = cellMaskReporting(spec);
  return {
    spec: { ...trainConfigToJobSpec(config), benchmark, ...(maskReporting ? { maskReporting } : {}) },
    memoryEstimate: cellMemoryEstimate(config, cell),
  };
}

/** Training-run cells of a campaign whose `report.masks` asks for them report their masks. */
function cellMaskReporting(spec: CampaignSpec): MaskReporting | undefined {
  const masks = spec.report?.masks ?? 'off';
  if (masks === 'off' || spec.measure !== 'training-run') return undefined;
  const cadence = masks === 'every' ? MaskReportCadence.MASK_REPORT_CADENCE_EVERY : MaskReportCadence.MASK_REPORT_CADENCE_FINAL;
  return { cadence, fullEvery: spec.report?.fullMaskEvery ?? 0 };
}

/** The estimate, or a CampaignSpecError naming the cell (e.g. a profile naming layers the model does not have). */
function cellMemoryEstimate(config: TrainConfig, cell: CampaignCell): MemoryEstimate {
  try {
    return estimateTrainingMemory(config);
  } catch (error) {
    throw new CampaignSpecError([`base (cell ${cell.label}): ${error instanceof Error ? error.message : String(error)}`]);
  }
}

function kernelJobFields(params: CellParams, benchmark: TrainingJobSpec['benchmark']): Partial<TrainingJobSpec> {
  return { scheme: params.scheme, density: params.density, backend: params.backend ?? '', benchmark };
}

/** Validates every cell of a training campaign up front, collecting the issues of all cells. */
export function validateCells(spec: CampaignSpec, cells: readonly CampaignCell[]): void {
  if (spec.measure === 'kernel') return;
  const issues: string[] = [];
  for (const cell of cells) {
    try {
      cellTrainConfig(spec, cell);
    } catch (error) {
      if (!(error instanceof CampaignSpecError)) throw error;
      issues.push(...error.issues);
    }
  }
  if (issues.length > 0) throw new CampaignSpecError(issues);
}
