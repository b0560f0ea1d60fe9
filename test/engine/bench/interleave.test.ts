// Interleaved measurement: sides take turns in rounds, so a load change hits every side alike.
import { describe, expect, it } from 'vitest';
import { measureInterleaved, roundCount, roundRules } from '../../../client/src/engine/bench/interleave.js';
import type { BenchClock } from '../../../client/src/engine/bench/run-rules.js';
import type { DeviceConditions, RunRules } from '../../../client/src/engine/bench/types.js';

const RULES: RunRules = { warmupIterations: 2, minIterations: 8, minDurationMs: 0, percentiles: [50], cooldownMs: 30, sustainedDurationMs: 0, driftWindowMs: 0 };

function harness() {
  const clock = { t: 0, sleeps: [] as number[] };
  const fake: BenchClock = {
    now: () => clock.t,
    sleep: async (ms) => {
      clock.sleeps.push(ms);
      clock.t += ms;
    },
  };
  let reads = 0;
  const readConditions = (): DeviceConditions => ({ temperatureCelsius: -1, batteryLevel: -1, charging: false, freeMemoryBytes: 1, loadAverage_1m: 0, atMs: ++reads });
  return { clock, options: { clock: fake, readConditions, yieldToEventLoop: async () => undefined } };
}

describe('measureInterleaved', () => {
  it('should take turns in rounds, warm up in the first, and cool down once', async () => {
    const { clock, options } = harness();
    const calls: string[] = [];
    const side = (name: string, ms: number) => ({ iteration: () => { calls.push(name); clock.t += ms; } });
    const [a, b] = await measureInterleaved([side('a', 1), side('b', 2)], RULES, options);
    // 4 rounds of 2 iterations; round 0 with the 2 warm-ups, later rounds with 1 re-warm.
    const round = (warm: number) => [...Array(warm + 2).fill('a'), ...Array(warm + 2).fill('b')];
    expect(calls).toEqual([...round(2), ...round(1), ...round(1), ...round(1)]);
    expect(clock.sleeps).toEqual([30]);
    expect(a.summary.iterations).toBe(8);
    expect(b.summary.iterations).toBe(8);
    expect(a.summary.durationMs).toBe(8);
    expect(b.summary.durationMs).toBe(16);
    expect(a.valid && b.valid).toBe(true);
    expect(a.start.atMs).toBeLessThan(a.end.atMs);
  });

  it('should let a load change hit every side alike', async () => {
    const { clock, options } = harness();
    // The machine gets 4x slower at t = 24 ms (half way through the rounds); b truly costs 2x a.
    const load = () => (clock.t < 24 ? 1 : 4);
    const side = (ms: number) => ({ iteration: () => { clock.t += ms * load(); } });
    const rules = { ...RULES, warmupIterations: 0, cooldownMs: 0, minIterations: 16 };
    const p50 = (m: { summary: { percentiles: readonly { value: number }[] } }) => m.summary.percentiles[0]!.value;
    const [a, b] = await measureInterleaved([side(1), side(2)], rules, { ...options, rounds: 4 });
    expect(p50(a)).toBe(2.5);
    expect(p50(b) / p50(a)).toBe(2);
    // One side after the other (one round), the change lands on b alone and the ratio is off by 4x.
    clock.t = 0;
    const [first, second] = await measureInterleaved([side(1), side(2)], rules, { ...options, rounds: 1 });
    expect(p50(second) / p50(first)).toBe(8);
  });

  it('should sum progress over rounds against the rules totals', async () => {
    const { clock, options } = harness();
    const seen: number[] = [];
    await measureInterleaved(
      [{ iteration: () => void (clock.t += 1), onProgress: (p) => { expect(p.targetIterations).toBe(8); seen.push(p.iterations); } }],
      { ...RULES, cooldownMs: 0 },
      { ...options, progressEveryMs: 0 },
    );
    expect(Math.max(...seen)).toBe(8);
    expect(seen).toEqual([...seen].sort((x, y) => x - y));
  });

  it('should not split sustained rules and should reject when aborted', async () => {
    expect(roundCount({ ...RULES, sustainedDurationMs: 1000 })).toBe(1);
    expect(roundCount({ ...RULES, minIterations: 2 })).toBe(2);
    expect(roundRules(RULES, 2, 4, false)).toEqual({ ...RULES, warmupIterations: 1, minIterations: 2, cooldownMs: 0 });
    const { options } = harness();
    const controller = new AbortController();
    controller.abort(new Error('stop'));
    await expect(measureInterleaved([{ iteration: () => undefined }], RULES, { ...options, signal: controller.signal })).rejects.toThrow('stop');
  });
});
