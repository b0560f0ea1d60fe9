// Scenario files: validation errors name the file and the field; the fault planner is deterministic per seed and
// turns scripted and random faults into the actions the runner applies.
import { describe, expect, it } from 'vitest';
import { parse as parseYaml } from 'yaml';
import { planFaults, plannedDevices, summarizePlan } from '../../../client/src/sim/scenario/fault-plan.js';
import { validateScenario } from '../../../client/src/sim/scenario/scenario-schema.js';
import { parseSimDuration } from '../../../client/src/sim/scenario/sim-duration.js';

const SCENARIO = `
name: plan-test
seed: 7
timeScale: 60
duration: 30m
fleet:
  - { profile: android-mid-range, count: 80 }
  - { profile: jetson-nano, count: 20 }
jobs:
  - { job: { config: { model: mlp } }, count: 10 }
faults:
  scripted:
    - { at: 5m, kind: coordinator-crash, downFor: 20s }
    - { at: 2m, kind: kill, devices: { count: 3, profile: jetson-nano }, restartAfter: 1m }
    - { at: 3m, kind: link, devices: { indices: [0, 1] }, for: 2m, link: { lossRate: 0.1, duplicateRate: 0.05 } }
  random:
    churn: { fraction: 0.3, downtime: { min: 30s, max: 2m } }
    partitions: { fraction: 0.05, duration: 1m }
`;

const scenario = () => validateScenario(parseYaml(SCENARIO), 'plan.yaml');

describe('scenario schema', () => {
  it('reads durations in simulated time and fills defaults', () => {
    const parsed = scenario();
    expect(parsed.duration).toBe(30 * 60_000);
    expect(parsed.coordinator.heartbeat).toBe(60_000);
    expect(parsed.realEngines).toBe(0);
    expect(parseSimDuration('1h30m')).toBe(5_400_000);
    expect(parseSimDuration(1.5)).toBe(1_500);
    expect(() => parseSimDuration('soon')).toThrow(/not a duration: 'soon'/);
  });

  it('names the file and each bad field', () => {
    const document = parseYaml(SCENARIO) as Record<string, any>;
    document.timeScale = 0;
    document.fleet[1].count = -1;
    document.faults.scripted[1].devices = { count: 1, fraction: 0.5 };
    document.faults.scripted[0].at = 'later';
    const error = (() => {
      try {
        validateScenario(document, 'ci.yaml');
      } catch (caught) {
        return (caught as Error).message;
      }
      return '';
    })();
    expect(error).toMatch(/^ci\.yaml: invalid scenario/);
    expect(error).toMatch(/timeScale: /);
    expect(error).toMatch(/fleet\.1\.count: /);
    expect(error).toMatch(/faults\.scripted\.1\.devices: give exactly one of count, fraction, indices/);
    expect(error).toMatch(/faults\.scripted\.0\.at: not a duration: 'later'/);
  });

  it('refuses device indices outside the fleet and profiles not in it', () => {
    const document = parseYaml(SCENARIO) as Record<string, any>;
    document.faults.scripted[2].devices = { indices: [99, 100] };
    document.faults.scripted[1].devices = { count: 1, profile: 'iphone' };
    expect(() => validateScenario(document, 'x.yaml')).toThrow(/indices: 100 outside the fleet \(0\.\.99\)/);
    expect(() => validateScenario(document, 'x.yaml')).toThrow(/faults\.scripted\.1\.devices\.profile: 'iphone' is not in the fleet/);
  });

  it('needs jobs or a campaign, not both', () => {
    const document = parseYaml(SCENARIO) as Record<string, any>;
    document.campaign = 'c.yaml';
    expect(() => validateScenario(document, 'x.yaml')).toThrow(/jobs: give exactly one of jobs, campaign/);
  });
});

describe('fault planner', () => {
  it('gives the same plan for the same seed and another for another seed', () => {
    const parsed = scenario();
    const devices = plannedDevices(parsed);
    expect(planFaults(parsed, devices, 7)).toEqual(planFaults(parsed, devices, 7));
    expect(planFaults(parsed, devices, 8)).not.toEqual(planFaults(parsed, devices, 7));
  });

  it('plans every scripted and random fault, in time order', () => {
    const parsed = scenario();
    const devices = plannedDevices(parsed);
    const plan = planFaults(parsed, devices, 7);
    expect(summarizePlan(plan)).toEqual({ 'coordinator-kill': 1, 'coordinator-restart': 1, kill: 33, restart: 33, link: 2, 'link-restore': 2, partition: 5 });
    expect(plan.map((action) => action.atSimMs)).toEqual([...plan.map((action) => action.atSimMs)].sort((a, b) => a - b));
    const crash = plan.filter((action) => action.kind.startsWith('coordinator'));
    expect(crash.map((action) => action.atSimMs)).toEqual([300_000, 320_000]);
    // Scripted kills pick among the Jetsons only (devices 80..99) and restart a minute later.
    const scriptedKills = plan.filter((action) => action.kind === 'kill' && action.cause.startsWith('scripted'));
    expect(scriptedKills).toHaveLength(3);
    for (const kill of scriptedKills) {
      if (kill.kind !== 'kill') continue;
      expect(kill.device).toBeGreaterThanOrEqual(80);
      expect(plan).toContainEqual(expect.objectContaining({ kind: 'restart', device: kill.device, atSimMs: 180_000 }));
    }
    // Churn: 30 distinct devices, each killed inside the first 60 % and restarted 30 s to 2 min later.
    const churnKills = plan.filter((action) => action.kind === 'kill' && action.cause === 'churn');
    expect(new Set(churnKills.map((action) => (action.kind === 'kill' ? action.device : -1))).size).toBe(30);
    for (const kill of churnKills) {
      if (kill.kind !== 'kill') continue;
      expect(kill.atSimMs).toBeLessThan(0.6 * 30 * 60_000);
      const restart = plan.find((action) => action.kind === 'restart' && action.device === kill.device && action.cause === 'churn')!;
      expect(restart.atSimMs - kill.atSimMs).toBeGreaterThanOrEqual(30_000);
      expect(restart.atSimMs - kill.atSimMs).toBeLessThanOrEqual(120_000);
    }
  });
});
