// Virtual time (issue 12, item 3): the coordinator (in this process) and 30 virtual devices on one discrete-event
// clock, with churn, a partition, link faults and a coordinator crash. A seeded run is deterministic: the same seed
// gives the same canonical event log, event for event; another seed gives another one.
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { startCoordinator } from '../../../server/src/index.js';
import { firstDifference, resolveScenario, runScenario, validateScenario, type ScenarioRun } from '../../../client/src/sim/scenario/index.js';

const ROOT = join(import.meta.dirname, '../../..');

const SCENARIO = validateScenario(
  {
    name: 'virtual-30',
    seed: 7,
    duration: '40m',
    coordinator: { heartbeat: '1m' },
    fleet: [
      { profile: 'android-midrange', count: 12 },
      { profile: 'raspberry-pi-4', count: 8 },
      { profile: 'laptop', count: 10 },
    ],
    jobs: [{ template: 'jobs/wrn-short.yaml', count: 30 }],
    faults: {
      scripted: [
        { at: '3m', kind: 'coordinator-crash', downFor: '1m' },
        { at: '2m', kind: 'partition', devices: { count: 3 }, for: '2m' },
      ],
      random: {
        churn: { fraction: 0.3, downtime: { min: '30s', max: '3m' } },
        links: { fraction: 0.1, duration: { min: '1m', max: '3m' }, link: { latencyMs: 400, jitterMs: 200, lossRate: 0.05, duplicateRate: 0.05, reorderRate: 0.05 } },
        window: { from: '1m', to: '8m' },
      },
    },
  },
  'virtual-30.yaml',
);

async function run(seed: number): Promise<ScenarioRun> {
  const loaded = await resolveScenario(SCENARIO, join(ROOT, 'test/scenarios/virtual-30.yaml'));
  return runScenario(loaded, { seed, startCoordinator });
}

describe('runScenario on virtual time', () => {
  it('should give the same event log for the same seed and another for another seed', { timeout: 600_000 }, async () => {
    const first = await run(7);
    const second = await run(7);
    const other = await run(8);

    for (const { verdict } of [first, second, other]) {
      expect(verdict.time).toBe('virtual');
      expect(verdict.passed, JSON.stringify(verdict.invariants.filter((outcome) => outcome.violations.length > 0))).toBe(true);
      expect(verdict.figures.coordinatorRestarts).toBe(1);
      expect(verdict.figures.succeeded).toBe(30);
    }
    // The log covers the whole run: every kind of happening the scenario provokes is in it.
    const kinds = new Set(first.events.map((event) => event.kind));
    for (const kind of ['connected', 'job-started', 'job-finished', 'report-acknowledged', 'killed', 'partitioned', 'coordinator-crashed', 'coordinator-restarted']) {
      expect(kinds, kind).toContain(kind);
    }
    expect(first.events.length).toBeGreaterThan(1_000);
    expect(firstDifference(first.events, second.events)).toBeUndefined();
    expect(firstDifference(first.events, other.events)).toBeDefined();
  });
});
