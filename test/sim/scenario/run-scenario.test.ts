// Small end-to-end runs of the scenario runner on wall time (a coordinator child process from dist/, virtual devices
// in this process): a campaign scenario, a scenario where some devices run the real engine (`--real N`), and the
// crash-then-partition regression scenario. Virtual time: virtual-time.test.ts.
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { loadScenarioFile, resolveScenario, runScenario, validateScenario, type ScenarioRun } from '../../../client/src/sim/scenario/index.js';

const ROOT = join(import.meta.dirname, '../../..');
const BUILT = existsSync(join(ROOT, 'dist/cli/src/commands/sim.js'));

/** Runs a shipped scenario with its event log and expects a passing verdict. */
async function runPassing(file: string): Promise<ScenarioRun> {
  expect(BUILT, 'the coordinator runs from dist/: npm run build first').toBe(true);
  const run = await runScenario(await loadScenarioFile(join(ROOT, file)), { recordEvents: true });
  expect(run.verdict.passed, JSON.stringify(run.verdict.invariants)).toBe(true);
  return run;
}

describe('runScenario', () => {
  it('should run a campaign scenario (real-engine devices) to a passing verdict with every cell done', { timeout: 180_000 }, async () => {
    const run = await runPassing('test/scenarios/campaign.yaml');

    const { verdict } = run;
    expect(verdict.figures.jobs).toBe(3);
    expect(verdict.figures.succeeded).toBe(3);
    expect(verdict.figures.faults).toMatchObject({ kill: 1 });
    expect(run.eventLog.some((event) => event.kind === 'killed')).toBe(true);
  });

  it('should run the first N devices on the real engine with --real N', { timeout: 240_000 }, async () => {
    expect(BUILT, 'the coordinator runs from dist/: npm run build first').toBe(true);
    const scenario = validateScenario(
      {
        name: 'real-engine',
        seed: 5,
        time: 'wall',
        timeScale: 20,
        duration: '30m',
        coordinator: { heartbeat: '1m' },
        fleet: [{ profile: 'laptop', count: 3 }],
        jobs: [{ count: 3, name: 'mlp', job: { maxAttempts: 3, config: { model: 'mlp', data: { name: 'synthetic', trainLimit: 256, testLimit: 64 }, epochs: 1, batchSize: 32, seed: 1 } } }],
      },
      'real-engine.yaml',
    );
    const loaded = await resolveScenario(scenario, join(ROOT, 'test/scenarios/real-engine.yaml'));

    const run = await runScenario(loaded, { realEngines: 1, recordEvents: true });

    const { verdict } = run;
    expect(verdict.passed, JSON.stringify(verdict.invariants)).toBe(true);
    expect(verdict.figures.realEngines).toBe(1);
    expect(verdict.figures.succeeded).toBe(3);
    // Device 0 ran the real engine and did train: it started a job and finished it.
    const device0 = run.eventLog.filter((event) => 'deviceIndex' in event && event.deviceIndex === 0).map((event) => event.kind);
    expect(device0).toContain('job-finished');
  });

  it('should bring every device back after a coordinator crash with a partition during the outage', { timeout: 180_000 }, async () => {
    const run = await runPassing('test/scenarios/crash-partition.yaml');

    const { verdict } = run;
    expect(verdict.figures.succeeded).toBe(4);
    expect(verdict.figures.faults).toMatchObject({ partition: 10, 'coordinator-kill': 1 });
    const lastPartition = run.eventLog.findLastIndex((event) => event.kind === 'partitioned');
    expect(lastPartition).toBeGreaterThanOrEqual(0);
    const afterPartitions = run.eventLog.slice(lastPartition + 1);
    const reconnected = new Set(afterPartitions.flatMap((event) => (event.kind === 'connected' && 'deviceIndex' in event ? [event.deviceIndex] : [])));
    expect(reconnected.size).toBe(10);
  });
});
