// A federated job end to end on the real engine: two in-process agents train a sparse MLP on tiny synthetic data
// with the engine's client round, the coordinator aggregates with the engine's aggregateRound (consensus masks,
// f16 updates) and measures each round's model on the held-out split with the CLI's engine lab, which also cuts the
// partition the job view shows.
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Agent } from '../../client/src/agent/agent.js';
import { engineFederatedLab } from '../../cli/src/federated-lab.js';
import { decodeSparseSet, maskedDensity } from '../../client/src/engine/federated/index.js';
import { api, eventually, startTestCoordinator, type TestCoordinator } from '../server/support/coordinator-harness.js';
import { federatedJob } from '../server/federated/federated-support.js';

describe('federated job on the real engine', () => {
  let test: TestCoordinator;
  let dir: string;
  const agents: Agent[] = [];

  beforeAll(async () => {
    test = await startTestCoordinator({ federatedLab: engineFederatedLab() });
    dir = await mkdtemp(join(tmpdir(), 'sf-fed-real-'));
  });

  afterAll(async () => {
    await Promise.all(agents.map((agent) => agent.stop()));
    await test.stop();
    await rm(dir, { recursive: true, force: true });
  });

  it('should train a sparse model over 2 rounds and measure each round on the held-out split', async () => {
    // Prepare
    for (const name of ['a', 'b']) {
      const { token } = await test.coordinator.createEnrollmentToken();
      const agent = new Agent({ server: test.coordinator.url, enrollmentToken: token, statePath: join(dir, `${name}.json`), backend: 'cpu', displayName: name });
      agents.push(agent);
      await agent.start();
    }

    // Execute
    const { status, body } = await api<{ id: string }>(test, 'POST', '/api/federated', {
      config: { model: 'mlp', method: 'static', density: 0.1, batchSize: 32, data: { name: 'synthetic', trainLimit: 256, testLimit: 128 }, backend: 'cpu' },
      rounds: 2,
      clients: 2,
      minClients: 2,
      local: { steps: 3 },
      partition: { kind: 'dirichlet', alpha: 0.5, seed: 1 },
      maskMode: 'consensus',
      updateDtype: 'f16',
    });
    expect(status).toBe(201);
    const job = await eventually(async () => {
      const view = await federatedJob(test, body.id);
      return view.state === 'completed' && view.rounds.every((round) => round.accuracy !== null) ? view : undefined;
    }, 2400);
    const response = await fetch(`${test.coordinator.url}/api/federated/${body.id}/model`, { headers: { authorization: `Bearer ${test.apiKey}` } });
    const model = decodeSparseSet(new Uint8Array(await response.arrayBuffer()));

    // Assert
    expect(job.rounds.map((round) => round.applied)).toEqual([2, 2]);
    for (const round of job.rounds) {
      expect(round.accuracy).toBeGreaterThanOrEqual(0);
      expect(round.accuracy).toBeLessThanOrEqual(1);
      // Sparse f16 values up, the f32 model down: each client's upload is well under its download.
      expect(round.bytesUp).toBeLessThan(round.bytesDown);
    }
    expect(maskedDensity(model)).toBeCloseTo(0.1, 1);
    // The Dirichlet partition as the job view shows it: two disjoint shards covering the 256 training examples.
    expect(job.partition.map((shard) => shard.clientIndex)).toEqual([0, 1]);
    expect(job.partition.reduce((sum, shard) => sum + shard.examples, 0)).toBe(256);
    expect(job.partition.every((shard) => shard.labelCounts.reduce((sum, count) => sum + count, 0) === shard.examples)).toBe(true);
  });
});
