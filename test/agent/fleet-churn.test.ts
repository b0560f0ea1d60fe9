import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { SimulatedFleet } from '../../client/src/sim/fleet.js';
import type { FleetEvent } from '../../client/src/sim/fleet-events.js';
import { FakeCoordinator } from './fake-coordinator.js';
import { FakeEngine } from './fake-engine.js';

describe(SimulatedFleet.name, () => {
  let coordinator: FakeCoordinator;
  let dir: string;
  let sut: SimulatedFleet;

  beforeEach(async () => {
    coordinator = await FakeCoordinator.start();
    dir = await mkdtemp(join(tmpdir(), 'sf-fleet-churn-'));
  });

  afterEach(async () => {
    await sut?.stop();
    await coordinator.close();
    await rm(dir, { recursive: true, force: true });
  });

  it('should kill one agent like a crash while the others stay connected', async () => {
    // Prepare
    const engine = new FakeEngine();
    engine.script = { hang: true };
    sut = new SimulatedFleet({
      server: coordinator.url,
      enrollmentToken: 'good-token',
      size: 2,
      stateDir: dir,
      mode: 'in-process',
      engine,
      backoff: { reconnectionDelayMs: 20, reconnectionDelayMaxMs: 100, randomizationFactor: 0.2 },
    });
    const events: FleetEvent[] = [];
    sut.on('event', (event) => events.push(event));
    await sut.start(10_000);
    const victim = sut.members[0].deviceId ?? '';
    await coordinator.assign(victim, 'job-1');
    const gone = new Promise<string>((resolve) => coordinator.onDisconnect(victim, resolve));

    // Execute
    await sut.kill(0);

    // Assert
    expect(await gone).toBe('transport close');
    expect(sut.members.map((member) => member.state)).toEqual(['stopped', 'connected']);
    expect(coordinator.results('job-1')).toHaveLength(0);
    expect(events.some((event) => event.kind === 'job-finished' && event.outcome === 'cancelled')).toBe(true);
  });
});
