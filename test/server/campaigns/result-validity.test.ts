import { describe, expect, it } from 'vitest';
import { BenchmarkResult, withDefaults } from '../../../protocol/src/index.js';
import { parseCampaignSpec } from '../../../server/src/campaigns/campaign-spec.js';
import { SIMULATED_RESULT_REASON, judgeResult } from '../../../server/src/campaigns/result-validity.js';

const rules = parseCampaignSpec({
  name: 'v',
  measure: 'kernel',
  matrix: { op: 'linear-forward', shape: [[8, 16, 16]], density: 0.5 },
  runRules: { minIterations: 50, minDurationMs: 1000 },
}).runRules;

describe('judgeResult', () => {
  it('should accept a result that meets the run rules', () => {
    const result = withDefaults('sparsefleet.v1.BenchmarkResult', { iterations: 60, durationMs: 1200, valid: true });
    expect(judgeResult(rules, { jobState: 'succeeded' }, result)).toEqual({ valid: true, reasons: [] });
  });

  it('should keep a simulated result out of the valid rows real aggregates read, saying why', () => {
    const result = withDefaults('sparsefleet.v1.BenchmarkResult', { iterations: 60, durationMs: 1200, valid: true });
    expect(judgeResult(rules, { jobState: 'succeeded', simulated: true }, result)).toEqual({ valid: false, reasons: [SIMULATED_RESULT_REASON] });
    expect(judgeResult(rules, { jobState: 'succeeded', simulated: false }, result)).toEqual({ valid: true, reasons: [] });
  });

  it('should name each run rule that was not met and keep the agent reasons', () => {
    const result = withDefaults('sparsefleet.v1.BenchmarkResult', { iterations: 12, durationMs: 300, valid: false, invalidReasons: ['backend fell back to cpu'] });
    expect(judgeResult(rules, { jobState: 'succeeded' }, result)).toEqual({
      valid: false,
      reasons: ['backend fell back to cpu', 'only 12 iterations < minIterations 50', 'only 300 ms < minDurationMs 1000'],
    });
  });

  it('should flag throttling seen in the sustained drift', () => {
    const result = withDefaults('sparsefleet.v1.BenchmarkResult', {
      iterations: 60,
      durationMs: 1200,
      valid: true,
      drift: [{ offsetMs: 0, medianMs: 2 }, { offsetMs: 1000, medianMs: 3 }],
    });
    expect(judgeResult(rules, { jobState: 'succeeded' }, result).reasons).toEqual(['device throttled: sustained median rose 50% (2 → 3 ms)']);
  });

  it('should name the likely cause of a speedup above 1.1 x 1/density over the dense baseline', () => {
    const result = withDefaults('sparsefleet.v1.BenchmarkResult', { iterations: 60, durationMs: 1200, valid: true, speedup: 14.2, baseline: 'dense-simd-kernel' });
    expect(judgeResult(rules, { jobState: 'succeeded' }, result, { density: 0.1 })).toEqual({
      valid: false,
      reasons: [
        'speedup 14.2× over dense-simd-kernel exceeds 1.1 × 1/density = 11×, more than skipping zeros can save: the dense ' +
          'baseline is likely dominated by fixed per-call overhead at this shape, or cache effects (the smaller sparse operands ' +
          'staying in cache), the timer resolution or machine noise distorted one side',
      ],
    });
  });

  it('should accept a speedup within 1.1 x 1/density and skip the check without a density or a speedup', () => {
    const within = withDefaults('sparsefleet.v1.BenchmarkResult', { iterations: 60, durationMs: 1200, valid: true, speedup: 10.9, baseline: 'dense-simd-kernel' });
    expect(judgeResult(rules, { jobState: 'succeeded' }, within, { density: 0.1 })).toEqual({ valid: true, reasons: [] });
    expect(judgeResult(rules, { jobState: 'succeeded' }, { ...within, speedup: 12 }, { density: 0.1 }).valid).toBe(false);
    expect(judgeResult(rules, { jobState: 'succeeded' }, { ...within, speedup: 12 }).valid).toBe(true);
    expect(judgeResult(rules, { jobState: 'succeeded' }, { ...within, speedup: 0 }, { density: 0.01 }).valid).toBe(true);
    // At density 1 the limit is 1.1: a "dense vs dense" step 1.3x faster is an artefact too.
    const reason = judgeResult(rules, { jobState: 'succeeded' }, { ...within, speedup: 1.3, baseline: 'corrected-dense-step' }, { density: 1 }).reasons[0];
    expect(reason).toMatch(/^speedup 1\.3× over corrected-dense-step exceeds 1\.1 × 1\/density = 1\.1×, /);
  });

  it('should mark a failed job without a result invalid with its error', () => {
    expect(judgeResult(rules, { jobState: 'failed', error: 'out of memory' }, undefined)).toEqual({ valid: false, reasons: ['job failed: out of memory'] });
  });
});
