// Real agents against a real coordinator run a federated job (issue 18): each agent fetches the round's model,
// runs a client round and uploads its update through the outbox. The client round is a stand-in that moves every
// value by +1 (test/agent/federated-stand-in.ts; the real one runs in federated-real-engine.test.ts), so the aggregate
// is known. One agent is killed mid-round: the round closes at K updates without it and the job completes.
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { Agent } from '../../client/src/agent/agent.js';
import type { TrainingEngine } from '../../client/src/agent/training-engine.js';
import type { FederatedClientTask } from '../../client/src/engine/federated/index.js';
import { api, eventually, startTestCoordinator, type TestCoordinator } from '../server/support/coordinator-harness.js';
import { FEDERATED_CONFIG, federatedJob, finalModel, testLab } from '../server/federated/federated-support.js';
import type { LinkShim } from '../../client/src/agent/connection.js';
import { engineWithPlusOneRounds } from './federated-stand-in.js';

/** A link the test cuts and heals: while cut, nothing goes out and the connection hears the link is down. */
class CuttableLink implements LinkShim {
  private readonly listeners: Array<(reachable: boolean) => void> = [];
  private cut = false;

  send(transmit: () => void): void {
    if (!this.cut) transmit();
  }

  watchReachability(listener: (reachable: boolean) => void): () => void {
    this.listeners.push(listener);
    return () => this.listeners.splice(this.listeners.indexOf(listener), 1);
  }

  set reachable(reachable: boolean) {
    this.cut = !reachable;
    for (const listener of this.listeners) listener(reachable);
  }
}

const FAST_BACKOFF = { reconnectionDelayMs: 20, reconnectionDelayMaxMs: 100, randomizationFactor: 0.2 };

describe('federated job on real agents', () => {
  let test: TestCoordinator;
  let dir: string;
  const agents: Agent[] = [];

  beforeEach(async () => {
    test = await startTestCoordinator({ federatedLab: testLab, heartbeatIntervalMs: 200, leaseMs: 1500 });
    dir = await mkdtemp(join(tmpdir(), 'sf-fed-agents-'));
  });

  afterEach(async () => {
    await Promise.all(agents.splice(0).map((agent) => agent.stop()));
    await test.stop();
    await rm(dir, { recursive: true, force: true });
  });

  async function startAgent(name: string, engine: TrainingEngine, link?: LinkShim): Promise<Agent> {
    const { token } = await test.coordinator.createEnrollmentToken();
    const agent = new Agent({
      server: test.coordinator.url,
      enrollmentToken: token,
      statePath: join(dir, `${name}.json`),
      engine,
      displayName: name,
      backoff: FAST_BACKOFF,
      requestTimeoutMs: 2000,
      checkpointChunkBytes: 32,
      ...(link ? { link } : {}),
    });
    agents.push(agent);
    await agent.start();
    return agent;
  }

  it('should complete 3 rounds when an agent is killed mid-round', async () => {
    // Prepare: two steady agents and one whose round 0 never ends; K = 2 of 3, all 3 selected.
    const seen: FederatedClientTask[] = [];
    const hanging: FederatedClientTask[] = [];
    await startAgent('a', engineWithPlusOneRounds({ seen }));
    await startAgent('b', engineWithPlusOneRounds({ seen }));
    const doomed = await startAgent('c', engineWithPlusOneRounds({ hang: true, seen: hanging }));

    // Execute
    const { body } = await api<{ id: string }>(test, 'POST', '/api/federated', {
      config: FEDERATED_CONFIG,
      rounds: 3,
      clients: 3,
      fraction: 0.6,
      minClients: 2,
      overSelect: 1.5,
      local: { steps: 5 },
      partition: { kind: 'dirichlet', alpha: 0.5, seed: 7 },
      roundDeadlineMs: 60_000,
    });
    await eventually(async () => (hanging.length > 0 ? true : undefined), 400);
    await doomed.kill();
    const job = await eventually(async () => {
      const view = await federatedJob(test, body.id);
      return view.state === 'completed' ? view : undefined;
    }, 800);
    const model = await finalModel(test.coordinator.url, test.apiKey, body.id);

    // Assert
    expect(job.rounds.map((round) => round.applied)).toEqual([2, 2, 2]);
    expect([...(model?.tensors.find((t) => t.name === 'fc.bias')?.values ?? [])]).toEqual([3, 3]);
    expect(seen.map((task) => task.round).sort()).toEqual([0, 0, 1, 1, 2, 2]);
    expect(seen[0]).toMatchObject({ partition: { kind: 'dirichlet', alpha: 0.5, clients: 3, seed: 7 }, work: { localSteps: 5 }, maskMode: 'fixed' });
    expect(job.rounds.every((round) => round.bytesUp > 0)).toBe(true);
  });

  it('should deliver an update whose upload a link cut interrupted, and apply it once', async () => {
    // Prepare: a's link is cut as soon as its client round is done (its update waits in the outbox) and healed later.
    const link = new CuttableLink();
    const engine = engineWithPlusOneRounds();
    const train = engine.federated!.runClientRound.bind(engine.federated);
    const federated = {
      ...engine.federated!,
      runClientRound: async (...args: Parameters<typeof train>) => {
        const update = await train(...args);
        link.reachable = false;
        setTimeout(() => (link.reachable = true), 400);
        return update;
      },
    };
    const a = await startAgent('a', Object.assign(engine, { federated }), link);
    await startAgent('b', engineWithPlusOneRounds());
    const disconnects: string[] = [];
    a.on('disconnected', (reason) => disconnects.push(reason));

    // Execute
    const { body } = await api<{ id: string }>(test, 'POST', '/api/federated', { config: FEDERATED_CONFIG, rounds: 1, clients: 2, minClients: 2 });
    const job = await eventually(async () => {
      const view = await federatedJob(test, body.id);
      return view.state === 'completed' ? view : undefined;
    }, 800);
    const participants = (await api<Array<{ deviceId: string; state: string; bytesUp: number }>>(test, 'GET', `/api/federated/${body.id}/participants`)).body;
    const model = await finalModel(test.coordinator.url, test.apiKey, body.id);

    // Assert
    expect(disconnects.length).toBeGreaterThan(0);
    const mine = participants.find((p) => p.deviceId === a.deviceId)!;
    expect(mine.state).toBe('updated');
    expect(job.rounds[0]).toMatchObject({ applied: 2, bytesUp: participants.reduce((sum, p) => sum + p.bytesUp, 0) });
    expect([...(model?.tensors.find((t) => t.name === 'fc.bias')?.values ?? [])]).toEqual([1, 1]);
  });
});
