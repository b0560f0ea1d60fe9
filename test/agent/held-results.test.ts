// A finished job whose result is not yet acknowledged is still the device's: heartbeats and hellos keep listing it,
// so the coordinator renews its lease instead of letting it expire (or abandoning it on hello) and redoing the work.
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { Agent } from '../../client/src/agent/agent.js';
import { FakeCoordinator } from './fake-coordinator.js';
import { FakeEngine } from './fake-engine.js';

const FAST_BACKOFF = { reconnectionDelayMs: 20, reconnectionDelayMaxMs: 100, randomizationFactor: 0.2 };

async function until(predicate: () => boolean, timeoutMs = 5000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!predicate()) {
    if (Date.now() > deadline) throw new Error('condition not met in time');
    await new Promise((resolve) => setTimeout(resolve, 10));
  }
}

describe('Agent holding a finished job until its result is acknowledged', () => {
  let coordinator: FakeCoordinator;
  let dir: string;
  let agent: Agent;
  let engine: FakeEngine;

  beforeEach(async () => {
    coordinator = await FakeCoordinator.start();
    dir = await mkdtemp(join(tmpdir(), 'sf-agent-held-'));
    engine = new FakeEngine();
    agent = new Agent({ server: coordinator.url, enrollmentToken: 'good-token', statePath: join(dir, 'agent.json'), engine, backoff: FAST_BACKOFF, requestTimeoutMs: 300 });
    await agent.start();
  });

  afterEach(async () => {
    coordinator.withholdResultAcks = false;
    await agent.stop();
    await coordinator.close();
    await rm(dir, { recursive: true, force: true });
  });

  it('lists the job in heartbeats and in the hello after a reconnect until the result is acked, then no more', async () => {
    engine.script = { steps: 2 };
    coordinator.withholdResultAcks = true;
    await coordinator.assign(agent.deviceId!, 'job-1');
    await until(() => coordinator.messages('sparsefleet.v1.JobResult').length >= 1);
    const beatsBefore = coordinator.messages('sparsefleet.v1.Heartbeat').length;
    await until(() => coordinator.messages('sparsefleet.v1.Heartbeat').length >= beatsBefore + 3);
    expect(coordinator.messages('sparsefleet.v1.Heartbeat').slice(beatsBefore).every((beat) => beat.runningJobIds.includes('job-1'))).toBe(true);

    const hellos = coordinator.messages('sparsefleet.v1.HelloRequest').length;
    coordinator.dropLink(agent.deviceId!);
    await until(() => coordinator.messages('sparsefleet.v1.HelloRequest').length > hellos);
    expect(coordinator.messages('sparsefleet.v1.HelloRequest').at(-1)?.runningJobIds).toEqual(['job-1']);

    coordinator.withholdResultAcks = false;
    await until(() => agent.outbox.pending === 0);
    const beatsAfter = coordinator.messages('sparsefleet.v1.Heartbeat').length;
    await until(() => coordinator.messages('sparsefleet.v1.Heartbeat').length >= beatsAfter + 2);
    expect(coordinator.messages('sparsefleet.v1.Heartbeat').slice(beatsAfter).every((beat) => beat.runningJobIds.length === 0)).toBe(true);
  });
});
