// A profile's availability trace drives its devices' churn: the sessions a trace yields (from minute 0, repeating,
// touching intervals merged), and a small fleet against a fake coordinator going offline and coming back per trace.
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { parseAvailabilityTrace, type DeviceProfile } from '../../../client/src/sim/profiles/index.js';
import { traceSessions, type Session } from '../../../client/src/sim/virtual/availability.js';
import { VirtualFleet, type VirtualFleetEvent } from '../../../client/src/sim/virtual/index.js';
import { FakeCoordinator } from '../../agent/fake-coordinator.js';
import { until } from '../../e2e/rest-client.js';

function firstSessions(csv: string, count: number): Session[] {
  const sessions: Session[] = [];
  for (const session of traceSessions(parseAvailabilityTrace(csv, 't.csv'))) {
    sessions.push(session);
    if (sessions.length === count) break;
  }
  return sessions;
}

describe('traceSessions', () => {
  it('should replay the online intervals and the gaps between them, period after period', () => {
    expect(firstSessions('# period: 100\n0,10\n50,60\n', 4)).toEqual([
      { onlineMinutes: 10, offlineMinutes: 40 },
      { onlineMinutes: 10, offlineMinutes: 40 },
      { onlineMinutes: 10, offlineMinutes: 40 },
      { onlineMinutes: 10, offlineMinutes: 40 },
    ]);
  });

  it('should take a device offline at once when the trace starts offline', () => {
    expect(firstSessions('# period: 100\n30,40\n', 3)).toEqual([
      { onlineMinutes: 0, offlineMinutes: 30 },
      { onlineMinutes: 10, offlineMinutes: 90 },
      { onlineMinutes: 10, offlineMinutes: 90 },
    ]);
  });

  it('should merge an interval that runs into the next period', () => {
    expect(firstSessions('0,10\n90,100\n', 3)).toEqual([
      { onlineMinutes: 10, offlineMinutes: 80 },
      { onlineMinutes: 20, offlineMinutes: 80 },
      { onlineMinutes: 20, offlineMinutes: 80 },
    ]);
  });

  it('should end (online for good) when the trace has no gap', () => {
    expect(firstSessions('0,40\n40,100\n', 5)).toEqual([]);
  });
});

/** A phone that is online one minute in two: 0–1, 2–3, 4–5, … */
const traceProfile = (trace: string): DeviceProfile => ({
  name: 'trace-phone',
  description: 'test fixture',
  platform: 'android-browser',
  compute: { speedFactor: 1 },
  memory: { totalMb: 4096, availableMb: 1000 },
  backends: ['wasm'],
  simd: true,
  threads: 1,
  network: { latencyMs: 0, jitterMs: 0, bandwidthKbps: 100_000, lossRate: 0 },
  availability: { trace },
});

describe('VirtualFleet with a trace profile', () => {
  let dir: string | undefined;
  let fleet: VirtualFleet | undefined;
  let coordinator: FakeCoordinator | undefined;

  afterEach(async () => {
    await fleet?.stop();
    await coordinator?.close();
    if (dir) await rm(dir, { recursive: true, force: true });
  });

  it("should take every device offline and back online at the trace's minutes", async () => {
    // Prepare: 600×, so a simulated minute is 100 ms of wall time.
    dir = await mkdtemp(join(tmpdir(), 'sf-trace-fleet-'));
    const trace = join(dir, 'alternate.csv');
    await writeFile(trace, '# period: 2\n0,1\n');
    coordinator = await FakeCoordinator.start();
    fleet = new VirtualFleet({
      server: coordinator.url,
      enrollmentToken: 'good-token',
      stateDir: join(dir, 'devices'),
      timeScale: 600,
      seed: 1,
      devices: [{ profile: traceProfile(trace), count: 2 }],
    });
    const events: VirtualFleetEvent[] = [];
    fleet.on('event', (event) => events.push(event));
    const availability = (index: number) => events.filter((event) => event.deviceIndex === index && (event.kind === 'offline' || event.kind === 'online'));

    // Execute
    await fleet.start();
    await until(() => availability(0).length >= 4 && availability(1).length >= 4, 20_000, 'two offline/online rounds per device');

    // Assert: each device alternates, one-minute gaps, and reconnects after each return.
    for (const index of [0, 1]) {
      const rounds = availability(index).slice(0, 4);
      expect(rounds.map((event) => event.kind)).toEqual(['offline', 'online', 'offline', 'online']);
      expect(rounds.filter((event) => event.kind === 'offline').map((event) => event.detail)).toEqual(['1 sim min', '1 sim min']);
      const online = rounds[1]!;
      await until(() => events.some((event) => event.deviceIndex === index && event.kind === 'connected' && event.wallMs >= online.wallMs), 10_000, `device ${index} reconnected`);
    }
  }, 40_000);
});
