// The coordinator's verdict on one measurement: the agent's own validity and reasons, plus the run rules checked
// again on the numbers it sent (minimum iterations and duration), signs of throttling, and failed jobs. Pure.
import type { BenchmarkResult } from '../../../generated/proto/sparsefleet/v1/benchmark.js';
import type { RunRulesSpec } from './campaign-spec.js';

export interface Validity {
  readonly valid: boolean;
  readonly reasons: string[];
}

/** A sustained run whose last window is this much slower than its first counts as throttled. */
export const THROTTLE_SLOWDOWN = 1.15;
/** Temperature (°C) at the end of a run at which a device counts as throttled. */
export const THROTTLE_TEMPERATURE_C = 85;

export function judgeResult(
  rules: RunRulesSpec,
  outcome: { readonly jobState: string; readonly error?: string | null },
  result: BenchmarkResult | undefined,
): Validity {
  const reasons: string[] = [];
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
  const endTemperature = result.end?.temperatureCelsius ?? -1;
  if (endTemperature >= THROTTLE_TEMPERATURE_C) reasons.push(`device throttled: ${endTemperature} °C at the end of the run`);
  const unique = [...new Set(reasons)];
  return { valid: unique.length === 0, reasons: unique };
}
