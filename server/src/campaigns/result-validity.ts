// The coordinator's verdict on one measurement: the agent's own validity and reasons, plus the run rules checked
// again on the numbers it sent (minimum iterations and duration), signs of throttling, failed jobs, and a speedup
// the arithmetic cannot explain: with a fraction d of the weights a kernel or step does at most 1/d of the dense
// work less, so a speedup above SPEEDUP_LIMIT_MARGIN × 1/d over the dense baseline is a measurement artefact. Pure.
import type { BenchmarkResult } from '../../../protocol/src/index.js';
import type { RunRulesSpec } from './campaign-spec.js';

export interface Validity {
  readonly valid: boolean;
  readonly reasons: string[];
}

/** A sustained run whose last window is this much slower than its first counts as throttled. */
export const THROTTLE_SLOWDOWN = 1.15;
/** Temperature (°C) at the end of a run at which a device counts as throttled. */
export const THROTTLE_TEMPERATURE_C = 85;

/** A speedup over the dense baseline above this × 1/density marks the result invalid. */
export const SPEEDUP_LIMIT_MARGIN = 1.1;

/**
 * Why a result from a simulated fleet's modelled engine never counts: it is kept as its own row, marked invalid with
 * this reason, so every real aggregate (cell summaries, charts, comparisons read valid rows only) leaves it out.
 */
export const SIMULATED_RESULT_REASON = 'simulated result (modelled engine, no measurement): kept out of real aggregates';

/** The cell a result measured (what the verdict needs of it). */
export interface JudgedCell {
  /** The cell's density in (0, 1]; without it the speedup limit is not checked. */
  readonly density?: number;
}

export function judgeResult(
  rules: RunRulesSpec,
  outcome: { readonly jobState: string; readonly error?: string | null; readonly simulated?: boolean },
  result: BenchmarkResult | undefined,
  cell: JudgedCell = {},
): Validity {
  const reasons: string[] = [];
  if (outcome.simulated === true) reasons.push(SIMULATED_RESULT_REASON);
  if (outcome.jobState !== 'succeeded') {
    reasons.push(`job ${outcome.jobState}${outcome.error ? `: ${outcome.error}` : ''}`);
  }
  if (result === undefined) {
    if (outcome.jobState === 'succeeded') reasons.push('the job sent no benchmark result');
    return { valid: false, reasons };
  }
  if (!result.valid && result.invalidReasons.length === 0) reasons.push('the agent marked the run invalid');
  reasons.push(...result.invalidReasons);
  if (result.iterations < rules.minIterations) {
    reasons.push(`only ${result.iterations} iterations < minIterations ${rules.minIterations}`);
  }
  if (result.durationMs < rules.minDurationMs) {
    reasons.push(`only ${result.durationMs} ms < minDurationMs ${rules.minDurationMs}`);
  }
  const drift = result.drift;
  if (drift.length >= 2) {
    const first = drift[0]!.medianMs;
    const last = drift[drift.length - 1]!.medianMs;
    if (first > 0 && last / first > THROTTLE_SLOWDOWN) {
      reasons.push(`device throttled: sustained median rose ${Math.round((last / first - 1) * 100)}% (${first} → ${last} ms)`);
    }
  }
  const limit = speedupLimitReason(result, cell.density);
  if (limit !== undefined) reasons.push(limit);
  const endTemperature = result.end?.temperatureCelsius ?? -1;
  if (endTemperature >= THROTTLE_TEMPERATURE_C) reasons.push(`device throttled: ${endTemperature} °C at the end of the run`);
  const unique = [...new Set(reasons)];
  return { valid: unique.length === 0, reasons: unique };
}

/** The reason a speedup exceeds SPEEDUP_LIMIT_MARGIN × 1/density, if it does (results with a speedup only). */
export function speedupLimitReason(result: Pick<BenchmarkResult, 'speedup' | 'baseline'>, density: number | undefined): string | undefined {
  if (density === undefined || !(density > 0 && density <= 1)) return undefined;
  if (!(Number.isFinite(result.speedup) && result.speedup > 0)) return undefined;
  const limit = SPEEDUP_LIMIT_MARGIN / density;
  if (result.speedup <= limit) return undefined;
  const against = result.baseline ? ` over ${result.baseline}` : '';
  return (
    `speedup ${formatFactor(result.speedup)}×${against} exceeds ${SPEEDUP_LIMIT_MARGIN} × 1/density = ${formatFactor(limit)}×, ` +
    'more than skipping zeros can save: the dense baseline is likely dominated by fixed per-call overhead at this shape, ' +
    'or cache effects (the smaller sparse operands staying in cache), the timer resolution or machine noise distorted one side'
  );
}

/** 14.2, 11, 0.55: at most three significant digits, no trailing zeros. */
function formatFactor(value: number): string {
  return String(Number(value.toPrecision(3)));
}
