// TrainingJobSpec (+ its BenchmarkSpec) -> BenchmarkRequest. Pure (no tfjs): the coordinator can validate cells with
// it. Kernel cells take op/scheme/shape/density from the BenchmarkSpec; training kinds take model, method, scheme,
// density, batch, optimizer and backend from the TrainingJobSpec itself. Rules left out get DEFAULT_RUN_RULES;
// within sent rules zeros are taken as sent (0 warm-up is legitimate) except an empty percentile list (-> 50, 90, 99)
// and a rule set with neither an iteration nor a duration minimum (-> at least one iteration).
import { BenchmarkKind, type RunRules as WireRunRules } from '../../../../protocol/src/index.js';
import type { TrainingJobSpec } from '../../../../protocol/src/index.js';
import { BACKEND_NAMES } from '../train/config.js';
import { jobSpecToTrainConfig } from '../train/job-spec.js';
import { kernelGeometry, splitKernelOp } from './kernel-operands.js';
import { DEFAULT_PERCENTILES } from './latency.js';
import { ACCEPTED_SCHEME_NAMES, canonicalSchemeName, kernelOpUnsupportedReason } from '../sparse/schemes/descriptors.js';
import { KERNEL_OPS, type BenchmarkRequest, type KernelOp, type KernelScheme, type RunRules } from './types.js';

/** Used when a cell carries no rules: short enough for a fleet campaign, long enough for stable medians. */
export const DEFAULT_RUN_RULES: RunRules = {
  warmupIterations: 5,
  minIterations: 64,
  minDurationMs: 2000,
  percentiles: DEFAULT_PERCENTILES,
  cooldownMs: 0,
  sustainedDurationMs: 0,
  driftWindowMs: 0,
};

export class BenchmarkSpecError extends Error {
  constructor(message: string) {
    super(`invalid benchmark spec: ${message}`);
    this.name = 'BenchmarkSpecError';
  }
}

export function benchmarkRequestFromJobSpec(spec: TrainingJobSpec): BenchmarkRequest {
  const bench = spec.benchmark;
  if (bench === undefined) throw new BenchmarkSpecError('the job spec carries no benchmark');
  const identity = { campaignId: bench.campaignId, cellId: bench.cellId };
  const rules = runRulesFromWire(bench.rules);
  switch (bench.kind) {
    case BenchmarkKind.BENCHMARK_KIND_KERNEL: {
      const op = kernelOp(bench.op);
      const scheme = kernelScheme(bench.scheme);
      const unsupported = kernelOpUnsupportedReason(scheme, op);
      if (unsupported !== undefined) throw new BenchmarkSpecError(unsupported);
      if (!(bench.density > 0 && bench.density <= 1)) throw new BenchmarkSpecError(`density must be in (0, 1], got ${bench.density}`);
      const { family } = splitKernelOp(op);
      try {
        const geometry = kernelGeometry(family, bench.shape);
        if (scheme === 'pattern' && geometry.family === 'conv' && geometry.k !== 3) throw new RangeError("scheme 'pattern' needs a 3x3 conv");
      } catch (error) {
        throw new BenchmarkSpecError(error instanceof Error ? error.message : String(error));
      }
      const denseBackend = BACKEND_NAMES.find((name) => name === spec.backend);
      return { kind: 'kernel', ...identity, op, scheme, shape: [...bench.shape], density: bench.density, seed: spec.seed, ...(denseBackend === undefined ? {} : { denseBackend }), rules };
    }
    case BenchmarkKind.BENCHMARK_KIND_TRAINING_STEP:
    case BenchmarkKind.BENCHMARK_KIND_TRAINING_RUN: {
      const config = jobSpecToTrainConfig({ ...spec, benchmark: undefined });
      const kind = bench.kind === BenchmarkKind.BENCHMARK_KIND_TRAINING_STEP ? 'training-step' : 'training-run';
      return { kind, ...identity, config, rules };
    }
    default:
      throw new BenchmarkSpecError(`unknown benchmark kind ${bench.kind}`);
  }
}

export function runRulesFromWire(wire: WireRunRules | undefined): RunRules {
  if (wire === undefined) return DEFAULT_RUN_RULES;
  for (const q of wire.percentiles) {
    if (!(q >= 0 && q <= 100)) throw new BenchmarkSpecError(`percentile ${q} is outside [0, 100]`);
  }
  return {
    warmupIterations: wire.warmupIterations,
    minIterations: wire.minIterations === 0 && wire.minDurationMs === 0 ? 1 : wire.minIterations,
    minDurationMs: wire.minDurationMs,
    percentiles: wire.percentiles.length === 0 ? DEFAULT_PERCENTILES : [...wire.percentiles],
    cooldownMs: wire.cooldownMs,
    sustainedDurationMs: wire.sustainedDurationMs,
    driftWindowMs: wire.driftWindowMs,
  };
}

function kernelOp(op: string): KernelOp {
  const found = KERNEL_OPS.find((name) => name === op);
  if (found === undefined) throw new BenchmarkSpecError(`op must be one of ${KERNEL_OPS.join(', ')}, got '${op}'`);
  return found;
}

/** The canonical name of the cell's scheme ('block4', the kernels' old name for 4x1 blocks, reads as 'block'). */
function kernelScheme(scheme: string): KernelScheme {
  const found = canonicalSchemeName(scheme);
  if (found === undefined) throw new BenchmarkSpecError(`scheme must be one of ${ACCEPTED_SCHEME_NAMES.join(', ')}, got '${scheme}'`);
  return found;
}
