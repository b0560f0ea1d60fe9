// compareSides: which measurement each figure comes from, and that every measured side's rules count.
import { describe, expect, it } from 'vitest';
import { compareSides } from '../../../client/src/engine/bench/outcome.js';
import { summarizeLatencies } from '../../../client/src/engine/bench/latency.js';
import type { RunRulesMeasurement } from '../../../client/src/engine/bench/run-rules.js';

function measured(latencies: number[], invalidReasons: string[] = [], atMs = 1): RunRulesMeasurement {
  const values = Float64Array.from(latencies);
  const conditions = { temperatureCelsius: -1, batteryLevel: -1, charging: false, freeMemoryBytes: 1, loadAverage_1m: 0, atMs };
  return {
    latencies: values,
    summary: summarizeLatencies(values, [50, 90], 10),
    drift: [],
    valid: invalidReasons.length === 0,
    invalidReasons,
    aborted: false,
    start: conditions,
    end: { ...conditions, atMs: atMs + 1 },
  };
}

describe('compareSides', () => {
  it('should divide the baseline by the sparse side and keep tfjs as a second figure', () => {
    const fields = compareSides({ sparse: measured([2, 2, 2]), baseline: measured([9, 10, 11]), baselineName: 'dense-simd-kernel', tfjs: measured([60, 60], [], 7) });
    expect(fields.speedup).toBe(5);
    expect(fields.speedupVsTfjs).toBe(30);
    expect(fields.baseline).toBe('dense-simd-kernel');
    expect(fields.dense?.percentiles[0]!.value).toBe(10);
    expect(fields.tfjs?.percentiles[0]!.value).toBe(60);
    expect(fields.end.atMs).toBe(8); // the last side measured
    expect(fields.valid).toBe(true);
  });

  it('should leave the tfjs figure out when it was not measured', () => {
    const fields = compareSides({ sparse: measured([4]), baseline: measured([6]), baselineName: 'corrected-dense-step' });
    expect(fields.speedup).toBe(1.5);
    expect(fields.speedupVsTfjs).toBe(0);
    expect(fields).not.toHaveProperty('tfjs');
  });

  it('should be invalid when any measured side broke the rules, naming the side', () => {
    const fields = compareSides({
      sparse: measured([1]),
      baseline: measured([2], ['minimum iterations not met: 1 of 5']),
      baselineName: 'dense-simd-kernel',
      tfjs: measured([3], ['stopped at the 60000 ms cap']),
    });
    expect(fields.valid).toBe(false);
    expect(fields.invalidReasons).toEqual(['dense: minimum iterations not met: 1 of 5', 'tfjs: stopped at the 60000 ms cap']);
  });
});
