// Measuring the sides of one comparison (the sparse side, its dense baseline, the tfjs op) in the same timing loop,
// interleaved: the run rules are split into rounds and every round measures each side in turn, so a change in the
// machine's load (other processes, other simulated agents, a CPU clocking down) hits every side alike instead of
// whichever was measured at the time. bench:step runs its configurations round-robin for the same reason.
//   * Round r of a side runs the executor with ceil(minIterations / R) iterations and minDurationMs / R; the
//     warm-up runs in the first round, and one warm-up iteration re-warms the caches in each later round.
//   * The cooldown (thermal settling) runs once, before the first side's first round.
//   * Sustained rules (drift windows over one steady run) are not split: each side runs them in one piece.
// Each side's rounds merge into one measurement: all latencies, the summary over them, the duration summed, the
// conditions at the first start and the last end; it is invalid if a round was (capped, aborted) or the totals miss
// the rules' minimum iterations or duration.
import { summarizeLatencies } from './latency.js';
import { executeRunRules, type ExecutorOptions, type ExecutorProgress, type Iteration, type RunRulesMeasurement } from './run-rules.js';
import type { RunRules } from './types.js';

/** Rounds the rules are split into (fewer when the rules ask for fewer iterations). */
export const INTERLEAVED_ROUNDS = 4;

export interface InterleavedSide {
  readonly iteration: Iteration;
  /** Calls one iteration makes (fast kernels are timed in batches); latencies are per call. Default 1. */
  readonly callsPerIteration?: number;
  /** Progress of this side, with iterations and time summed over its rounds and the rules' totals as targets. */
  readonly onProgress?: (progress: ExecutorProgress) => void;
}

export type InterleaveOptions = Omit<ExecutorOptions, 'rules' | 'callsPerIteration' | 'onProgress'> & { readonly rounds?: number };

/** How many rounds the rules are measured in: 1 for sustained rules, else up to `rounds` (one iteration each at least). */
export function roundCount(rules: RunRules, rounds = INTERLEAVED_ROUNDS): number {
  if (rules.sustainedDurationMs > 0) return 1;
  return Math.max(1, Math.min(rounds, rules.minIterations));
}

/** The rules of round `round` of `rounds` for one side. */
export function roundRules(rules: RunRules, round: number, rounds: number, first: boolean): RunRules {
  if (rounds === 1) return rules;
  return {
    ...rules,
    warmupIterations: round === 0 ? rules.warmupIterations : Math.min(1, rules.warmupIterations),
    minIterations: Math.ceil(rules.minIterations / rounds),
    minDurationMs: rules.minDurationMs / rounds,
    cooldownMs: round === 0 && first ? rules.cooldownMs : 0,
  };
}

/** Measures every side under `rules`, interleaved in rounds; one measurement per side, in order. */
export async function measureInterleaved(sides: readonly InterleavedSide[], rules: RunRules, options: InterleaveOptions = {}): Promise<RunRulesMeasurement[]> {
  const rounds = roundCount(rules, options.rounds);
  const parts: RunRulesMeasurement[][] = sides.map(() => []);
  const done = sides.map(() => ({ iterations: 0, elapsedMs: 0 }));
  for (let round = 0; round < rounds; round++) {
    for (let index = 0; index < sides.length; index++) {
      if (options.signal?.aborted) break;
      const side = sides[index];
      const before = done[index];
      const measurement = await executeRunRules(side.iteration, {
        ...options,
        rules: roundRules(rules, round, rounds, index === 0),
        callsPerIteration: side.callsPerIteration,
        onProgress: (p) =>
          side.onProgress?.({
            ...p,
            iterations: before.iterations + p.iterations,
            elapsedMs: before.elapsedMs + p.elapsedMs,
            targetIterations: rules.minIterations,
            targetMs: Math.max(rules.minDurationMs, rules.sustainedDurationMs),
          }),
      });
      parts[index].push(measurement);
      done[index] = { iterations: before.iterations + measurement.summary.iterations, elapsedMs: before.elapsedMs + measurement.summary.durationMs };
    }
  }
  // An abort leaves sides without rounds: report the abort, never a partial comparison.
  options.signal?.throwIfAborted();
  return parts.map((measured) => merge(measured, rules));
}

function merge(rounds: readonly RunRulesMeasurement[], rules: RunRules): RunRulesMeasurement {
  if (rounds.length === 1) return rounds[0];
  if (rounds.length === 0) throw new Error('no round was measured');
  let length = 0;
  for (const round of rounds) length += round.latencies.length;
  const latencies = new Float64Array(length);
  let offset = 0;
  let durationMs = 0;
  for (const round of rounds) {
    latencies.set(round.latencies, offset);
    offset += round.latencies.length;
    durationMs += round.summary.durationMs;
  }
  const reasons = new Set(rounds.flatMap((round) => round.invalidReasons));
  if (length < rules.minIterations) reasons.add(`minimum iterations not met: ${length} of ${rules.minIterations}`);
  if (durationMs < rules.minDurationMs) reasons.add(`minimum duration not met: ${durationMs.toFixed(0)} ms of ${rules.minDurationMs} ms`);
  const invalidReasons = [...reasons];
  return {
    latencies,
    summary: summarizeLatencies(latencies, rules.percentiles, durationMs),
    drift: [],
    valid: invalidReasons.length === 0,
    invalidReasons,
    aborted: rounds.some((round) => round.aborted),
    start: rounds[0].start,
    end: rounds[rounds.length - 1].end,
  };
}
