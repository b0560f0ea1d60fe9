import { describe, expect, it } from 'vitest';
import { BenchmarkResult } from '../../../generated/proto/sparsefleet/v1/benchmark.js';
import { parseCampaignSpec } from '../../../server/src/campaigns/campaign-spec.js';
import { judgeResult } from '../../../server/src/campaigns/result-validity.js';

const rules = parseCampaignSpec({
  name: 'v',
  measure: 'kernel',
  matrix: { op: 'linear-forward', shape: [[8, 16, 16]], density: 0.5 },
  runRules: { minIterations: 50, minDurationMs: 1000 },
}).runRules;

describe('judgeResult', () => {
  it('should accept a result that meets the run rules', () => {
    const result = BenchmarkResult.fromPartial({ iterations: 60, durationMs: 1200, valid: true });
    expect(judgeResult(rules, { jobState: 'succeeded' }, result)).toEqual({ valid: true, reasons: [] });
  });

  it('should name each run rule that was not met and keep the agent reasons', () => {
    const result = BenchmarkResult.fromPartial({ iterations: 12, durationMs: 300, valid: false, invalidReasons: ['backend fell back to cpu'] });
    expect(judgeResult(rules, { jobState: 'succeeded' }, result)).toEqual({
      valid: false,
      reasons: ['backend fell back to cpu', 'only 12 iterations < minIterations 50', 'only 300 ms < minDurationMs 1000'],
    });
  });

  it('should flag throttling seen in the sustained drift', () => {
    const result = BenchmarkResult.fromPartial({
      iterations: 60,
      durationMs: 1200,
      valid: true,
      drift: [{ offsetMs: 0, medianMs: 2 }, { offsetMs: 1000, medianMs: 3 }],
    });
    expect(judgeResult(rules, { jobState: 'succeeded' }, result).reasons).toEqual(['device throttled: sustained median rose 50% (2 → 3 ms)']);
  });

  it('should mark a failed job without a result invalid with its error', () => {
    expect(judgeResult(rules, { jobState: 'failed', error: 'out of memory' }, undefined)).toEqual({ valid: false, reasons: ['job failed: out of memory'] });
  });
});
