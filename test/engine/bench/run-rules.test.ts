import { describe, expect, it } from 'vitest';
import { executeRunRules, type BenchClock } from '../../../client/src/engine/bench/run-rules.js';
import type { DeviceConditions, RunRules } from '../../../client/src/engine/bench/types.js';

class FakeClock implements BenchClock {
  t = 0;
  readonly sleeps: number[] = [];
  now = (): number => this.t;
  sleep = async (ms: number): Promise<void> => {
    this.sleeps.push(ms);
    this.t += ms;
  };
}

function rules(overrides: Partial<RunRules>): RunRules {
  return { warmupIterations: 0, minIterations: 1, minDurationMs: 0, percentiles: [50, 90], cooldownMs: 0, sustainedDurationMs: 0, driftWindowMs: 0, ...overrides };
}

function conditionsReader(clock: FakeClock): () => DeviceConditions {
  let reads = 0;
  return () => {
    reads += 1;
    return { temperatureCelsius: 40 + reads, batteryLevel: 0.5, charging: false, freeMemoryBytes: 1, loadAverage_1m: 0, atMs: clock.t };
  };
}

/** An iteration that advances the fake clock by `latency(callIndex, now)`. */
function setup(latency: (call: number, now: number) => number) {
  const clock = new FakeClock();
  let calls = 0;
  const iteration = () => {
    clock.t += latency(calls, clock.t);
    calls += 1;
  };
  const noYield = async () => undefined;
  return { clock, iteration, calls: () => calls, base: { clock, readConditions: conditionsReader(clock), yieldToEventLoop: noYield } };
}

describe('executeRunRules', () => {
  it('should run until the minimum iterations when they take longer than the minimum duration', async () => {
    const { iteration, base } = setup(() => 1);
    const result = await executeRunRules(iteration, { ...base, rules: rules({ minIterations: 10, minDurationMs: 5 }) });
    expect(result.summary.iterations).toBe(10);
    expect(result.summary.durationMs).toBe(10);
    expect(result.valid).toBe(true);
    expect(result.invalidReasons).toEqual([]);
  });

  it('should keep iterating until the minimum duration when iterations are met first', async () => {
    const { iteration, base } = setup(() => 2);
    const result = await executeRunRules(iteration, { ...base, rules: rules({ minIterations: 3, minDurationMs: 20 }) });
    expect(result.summary.iterations).toBe(10);
    expect(result.summary.durationMs).toBe(20);
    expect(result.valid).toBe(true);
  });

  it('should exclude warm-up iterations from every statistic', async () => {
    const { iteration, base, calls } = setup((call) => (call < 3 ? 100 : 1));
    const result = await executeRunRules(iteration, { ...base, rules: rules({ warmupIterations: 3, minIterations: 5, percentiles: [0, 100] }) });
    expect(calls()).toBe(8);
    expect(result.summary.iterations).toBe(5);
    expect(result.summary.percentiles).toEqual([{ percentile: 0, value: 1 }, { percentile: 100, value: 1 }]);
    expect(result.summary.meanMs).toBe(1);
  });

  it('should compute exact linear percentiles, mean and min on a known sequence', async () => {
    const { iteration, base } = setup((call) => [7, 3, 10, 1, 5, 9, 2, 8, 4, 6][call]);
    const result = await executeRunRules(iteration, { ...base, rules: rules({ minIterations: 10, percentiles: [50, 90, 99] }) });
    expect(result.summary.percentiles[0]).toEqual({ percentile: 50, value: 5.5 });
    expect(result.summary.percentiles[1].value).toBeCloseTo(9.1, 12);
    expect(result.summary.percentiles[2].value).toBeCloseTo(9.91, 12);
    expect(result.summary.meanMs).toBe(5.5);
    expect(result.summary.minMs).toBe(1);
    expect(Array.from(result.latencies)).toEqual([7, 3, 10, 1, 5, 9, 2, 8, 4, 6]);
  });

  it('should report per-call latencies when an iteration makes several calls', async () => {
    const { iteration, base } = setup(() => 8);
    const result = await executeRunRules(iteration, { ...base, callsPerIteration: 4, rules: rules({ minIterations: 3 }) });
    expect(result.summary.percentiles[0].value).toBe(2);
  });

  it('should cool down before measuring and record conditions at start and end', async () => {
    const { iteration, base, clock } = setup(() => 1);
    const phases: string[] = [];
    const result = await executeRunRules(iteration, {
      ...base,
      rules: rules({ cooldownMs: 500, minIterations: 2 }),
      onProgress: (p) => phases.push(p.phase),
    });
    expect(clock.sleeps).toEqual([500]);
    expect(phases.slice(0, 3)).toEqual(['cooldown', 'warmup', 'measuring']);
    expect(result.start.atMs).toBe(0);
    expect(result.end.atMs).toBe(502);
    expect(result.summary.durationMs).toBe(2);
  });

  it('should record one drift sample per window in sustained mode and flag a slowdown as throttling', async () => {
    const { iteration, base } = setup((_, now) => (now < 50 ? 5 : 10));
    const result = await executeRunRules(iteration, { ...base, rules: rules({ minIterations: 1, sustainedDurationMs: 100, driftWindowMs: 25 }) });
    expect(result.summary.durationMs).toBe(100);
    expect(result.drift.map((d) => d.offsetMs)).toEqual([0, 25, 50, 75]);
    expect(result.drift.map((d) => d.iterations)).toEqual([5, 5, 3, 2]);
    expect(result.drift.map((d) => d.medianMs)).toEqual([5, 5, 10, 10]);
    expect(result.drift.reduce((sum, d) => sum + d.iterations, 0)).toBe(result.summary.iterations);
    expect(result.drift[0].temperatureCelsius).toBeGreaterThan(40);
    expect(result.valid).toBe(false);
    expect(result.invalidReasons.join('\n')).toMatch(/thermal throttling suspected: last drift window median 10\.000 ms is 2\.00x the first/);
  });

  it('should not judge a trailing partial drift window', async () => {
    const { iteration, base } = setup((_, now) => (now < 80 ? 5 : 25));
    const result = await executeRunRules(iteration, { ...base, rules: rules({ sustainedDurationMs: 100, driftWindowMs: 40 }) });
    expect(result.drift.map((d) => d.medianMs)).toEqual([5, 5, 25]);
    expect(result.valid).toBe(true);
  });

  it('should stay valid in sustained mode when the latency holds steady', async () => {
    const { iteration, base } = setup(() => 5);
    const result = await executeRunRules(iteration, { ...base, rules: rules({ sustainedDurationMs: 100 }) });
    expect(result.drift).toHaveLength(10);
    expect(result.drift.every((d) => d.medianMs === 5)).toBe(true);
    expect(result.valid).toBe(true);
  });

  it('should stop at the hard cap and say which minimum was not met', async () => {
    const { iteration, base } = setup(() => 1);
    const result = await executeRunRules(iteration, { ...base, maxDurationMs: 50, rules: rules({ minIterations: 1000 }) });
    expect(result.summary.iterations).toBe(50);
    expect(result.valid).toBe(false);
    expect(result.invalidReasons).toEqual(['stopped at the 50 ms cap', 'minimum iterations not met: 50 of 1000']);
  });

  it('should stop when aborted and mark the run invalid', async () => {
    const controller = new AbortController();
    const { iteration, base } = setup((call) => {
      if (call === 4) controller.abort();
      return 1;
    });
    const result = await executeRunRules(iteration, { ...base, signal: controller.signal, rules: rules({ minIterations: 100 }) });
    expect(result.aborted).toBe(true);
    expect(result.summary.iterations).toBe(5);
    expect(result.invalidReasons).toEqual(['aborted after 5 measured iterations', 'minimum iterations not met: 5 of 100']);
  });
});
