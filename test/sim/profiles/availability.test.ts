import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { basename, join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { createRng } from '../../../client/src/engine/util/rng.js';
import {
  AvailabilityTraceError,
  distributionMean,
  isOnlineAt,
  isTraceAvailability,
  loadAvailabilityTrace,
  loadDeviceProfile,
  parseAvailabilityTrace,
  sampleDistribution,
  type Distribution,
} from '../../../client/src/sim/profiles/index.js';

describe('distributions', () => {
  const cases: Distribution[] = [
    { kind: 'fixed', value: 12 },
    { kind: 'uniform', min: 5, max: 15 },
    { kind: 'exponential', mean: 30 },
    { kind: 'lognormal', median: 20, sigma: 0.5 },
  ];

  it.each(cases)('$kind draws are seeded and average to the mean', (distribution) => {
    const draw = (seed: number) => {
      const rng = createRng(seed);
      return Array.from({ length: 4000 }, () => sampleDistribution(distribution, rng));
    };
    const values = draw(11);
    expect(draw(11)).toEqual(values);
    expect(values.every((value) => value >= 0)).toBe(true);
    const mean = values.reduce((total, value) => total + value, 0) / values.length;
    expect(Math.abs(mean / distributionMean(distribution) - 1)).toBeLessThan(0.05);
  });

  it('uniform draws stay within their bounds', () => {
    const rng = createRng(3);
    const values = Array.from({ length: 1000 }, () => sampleDistribution({ kind: 'uniform', min: 5, max: 15 }, rng));
    expect(Math.min(...values)).toBeGreaterThanOrEqual(5);
    expect(Math.max(...values)).toBeLessThan(15);
  });
});

describe('availability traces', () => {
  it('parses intervals and repeats them every period', () => {
    const trace = parseAvailabilityTrace('# period: 100\nonline_minute,offline_minute\n0,10\n50,60\n', 't.csv');
    expect(trace).toEqual({ intervals: [{ onlineMinute: 0, offlineMinute: 10 }, { onlineMinute: 50, offlineMinute: 60 }], periodMinutes: 100 });
    expect([0, 9.9, 10, 49, 55, 60, 100, 155, 170].map((minute) => isOnlineAt(trace, minute))).toEqual([
      true, true, false, false, true, false, true, true, false,
    ]);
  });

  it('names the file and the line of a bad interval', () => {
    expect(() => parseAvailabilityTrace('0,10\n5,20\n', 't.csv')).toThrow(new AvailabilityTraceError('t.csv', 2, 'intervals must be ascending and must not overlap'));
    expect(() => parseAvailabilityTrace('0,10\n20,15\n', 't.csv')).toThrow('t.csv:2: offline_minute must be after online_minute');
    expect(() => parseAvailabilityTrace('0;10\n', 't.csv')).toThrow('t.csv:1: expected online_minute,offline_minute');
    expect(() => parseAvailabilityTrace('# nothing\n', 't.csv')).toThrow(/has no intervals/);
    expect(() => parseAvailabilityTrace('# period: 5\n0,10\n', 't.csv')).toThrow(/period 5 ends before the last interval/);
  });

  it('a profile names its trace relative to its own folder; the shipped example parses', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'sf-trace-'));
    try {
      const example = join(process.cwd(), 'profiles/devices/traces/example-phone.csv');
      await writeFile(
        join(dir, 'phone.yaml'),
        `name: phone
description: replays a trace
platform: android-browser
compute: { speedFactor: 1 }
memory: { totalMb: 4000, availableMb: 1000 }
backends: [wasm]
simd: true
threads: 1
network: { latencyMs: 50, jitterMs: 10, bandwidthKbps: 10000, lossRate: 0.01 }
availability: { trace: ../${basename(dir)}/night.csv }
`,
      );
      await writeFile(join(dir, 'night.csv'), await readFile(example, 'utf8'));
      const profile = await loadDeviceProfile(join(dir, 'phone.yaml'));
      if (!isTraceAvailability(profile.availability)) throw new Error('expected a trace');
      expect(profile.availability.trace).toBe(join(dir, 'night.csv'));
      const trace = await loadAvailabilityTrace(profile.availability);
      expect(trace.periodMinutes).toBe(1440);
      expect(isOnlineAt(trace, 100)).toBe(true);
      expect(isOnlineAt(trace, 600)).toBe(false);
      expect(isOnlineAt(trace, 1440 + 730)).toBe(true);
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });
});
