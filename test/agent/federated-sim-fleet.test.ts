// A federated job on a simulated fleet of 100 in-process agents (client/src/sim), 100 clients, K = 20 of them per
// round over-selected to 26: rounds open, close at K and hand the next model on; the stand-in client round
// (test/agent/federated-stand-in.ts) makes the expected model exact whichever clients report first.
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { SimulatedFleet } from '../../client/src/sim/fleet.js';
import { api, eventually, startTestCoordinator, type TestCoordinator } from '../server/support/coordinator-harness.js';
import { FEDERATED_CONFIG, federatedJob, finalModel, testLab } from '../server/federated/federated-support.js';
import { engineWithPlusOneRounds } from './federated-stand-in.js';

describe('federated job on a simulated fleet', () => {
  let test: TestCoordinator;
  let dir: string;
  let fleet: SimulatedFleet | undefined;

  beforeEach(async () => {
    test = await startTestCoordinator({ federatedLab: testLab });
    dir = await mkdtemp(join(tmpdir(), 'sf-fed-sim-'));
  });

  afterEach(async () => {
    await fleet?.stop();
    await test.stop();
    await rm(dir, { recursive: true, force: true });
  });

  it('should run 3 rounds over 100 virtual clients, 26 selected and 20 updates applied per round', async () => {
    // Prepare
    const { token } = await test.coordinator.createEnrollmentToken({ maxUses: 100 });
    fleet = new SimulatedFleet({
      server: test.coordinator.url,
      enrollmentToken: token,
      size: 100,
      stateDir: dir,
      mode: 'in-process',
      engine: engineWithPlusOneRounds(),
      backoff: { reconnectionDelayMs: 50, reconnectionDelayMaxMs: 500, randomizationFactor: 0.5 },
    });
    await fleet.start(60_000);

    // Execute
    const { body } = await api<{ id: string }>(test, 'POST', '/api/federated', {
      config: FEDERATED_CONFIG,
      rounds: 3,
      clients: 100,
      fraction: 0.2,
      overSelect: 1.3,
      local: { steps: 5 },
      partition: { kind: 'dirichlet', alpha: 0.5, seed: 42 },
      roundDeadlineMs: 120_000,
    });
    const job = await eventually(async () => {
      const view = await federatedJob(test, body.id);
      return view.state === 'completed' ? view : undefined;
    }, 2400);
    const model = await finalModel(test.coordinator.url, test.apiKey, body.id);

    // Assert
    expect(fleet.connectedCount).toBe(100);
    expect(job.rounds.map((round) => [round.selected, round.targetUpdates])).toEqual([
      [26, 20],
      [26, 20],
      [26, 20],
    ]);
    expect(job.rounds.every((round) => round.applied >= 20 && round.applied <= 26)).toBe(true);
    expect([...(model?.tensors.find((t) => t.name === 'fc.bias')?.values ?? [])]).toEqual([3, 3]);
  });
});
