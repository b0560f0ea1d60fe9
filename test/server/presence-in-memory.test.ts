// Presence on the hot path: a steadily beating device's row is written on transitions and coarse flushes, not per
// heartbeat; its node still takes it offline at its exact deadline, and its telemetry history is sampled.
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { DeviceRepository } from '../../server/src/devices/device.repository.js';
import { DeviceService } from '../../server/src/devices/device.service.js';
import { EnrollmentTokenService } from '../../server/src/devices/enrollment-token.service.js';
import { DomainEventBus } from '../../server/src/events/event-bus.js';
import { TEST_FACTS } from './support/coordinator-harness.js';
import { createServiceHarness, type ServiceHarness } from './support/service-harness.js';

const INTERVAL_MS = 1000;
const PATIENCE = 3;
const FLUSH_MS = 10_000;
const SAMPLE_MS = 20_000;
const T0 = Date.parse('2030-01-01T00:00:00Z');

function telemetry(freeMemoryBytes: number) {
  return { freeMemoryBytes, rssBytes: 1, loadAverage_1m: 0, temperatureCelsius: -1, batteryLevel: -1, charging: false };
}

describe('presence in memory', () => {
  let harness: ServiceHarness;
  let sut: DeviceService;
  let rows: DeviceRepository;

  beforeEach(async () => {
    harness = await createServiceHarness({
      heartbeatIntervalMs: INTERVAL_MS,
      heartbeatPatience: PATIENCE,
      presenceFlushMs: FLUSH_MS,
      telemetrySampleMs: SAMPLE_MS,
    });
    sut = harness.get(DeviceService);
    rows = harness.get(DeviceRepository);
  });

  afterEach(async () => harness.close());

  async function connectedDevice(): Promise<string> {
    const tokens = harness.get(EnrollmentTokenService);
    const { token } = await tokens.create({ maxUses: 1 }, new Date(T0));
    const { deviceId } = await sut.enroll({ tokenId: await tokens.check(token, new Date(T0)), facts: TEST_FACTS, displayName: 'box' }, new Date(T0));
    await sut.hello(deviceId, TEST_FACTS, {}, new Date(T0));
    return deviceId;
  }

  async function beat(deviceId: string, atMs: number, freeMemoryBytes = 1): Promise<void> {
    const [fault] = await sut.recordHeartbeats([{ deviceId, telemetry: telemetry(freeMemoryBytes), options: {} }], new Date(atMs));
    if (fault) throw fault;
  }

  it('should write a steady device row about once per flush period, its stored deadline never before the true one', async () => {
    // Prepare
    const deviceId = await connectedDevice();
    const lastSeenWritten = new Set<string>();

    // Execute: 40 s of beats at the interval.
    for (let at = T0 + INTERVAL_MS; at <= T0 + 40_000; at += INTERVAL_MS) {
      await beat(deviceId, at);
      const row = await rows.findById(deviceId);
      lastSeenWritten.add(row!.last_seen!);
      // Assert (each beat): the row never says the device is silent while it beats.
      expect(Date.parse(row!.online_until!)).toBeGreaterThanOrEqual(at + PATIENCE * INTERVAL_MS);
    }

    // Assert: about one write per flush period (plus the Hello), and the view shows the exact last contact.
    expect(lastSeenWritten.size).toBeGreaterThanOrEqual(4);
    expect(lastSeenWritten.size).toBeLessThanOrEqual(6);
    const view = await sut.get(deviceId, new Date(T0 + 40_000));
    expect(view?.lastSeen).toBe(new Date(T0 + 40_000).toISOString());
    expect(view?.onlineUntil).toBe(new Date(T0 + 40_000 + PATIENCE * INTERVAL_MS).toISOString());
    expect(view?.state).toBe('online');
  });

  it('should take a device that falls silent offline at its true deadline, with no heartbeat written for it', async () => {
    // Prepare: the last beat is recorded in memory only (the row still carries the Hello's deadline with slack).
    const deviceId = await connectedDevice();
    await beat(deviceId, T0 + INTERVAL_MS); // written: its telemetry is the window's sample
    const written = await rows.findById(deviceId);
    await beat(deviceId, T0 + 2 * INTERVAL_MS);
    expect(await rows.findById(deviceId)).toEqual(written);
    const gone: string[] = [];
    harness.get(DomainEventBus).on('DeviceGone', (event) => void gone.push(`${event.deviceId}:${event.reason}`));
    const deadline = T0 + 2 * INTERVAL_MS + PATIENCE * INTERVAL_MS;

    // Execute
    const before = await sut.sweepExpired(new Date(deadline - 1));
    const at = await sut.sweepExpired(new Date(deadline));
    await harness.get(DomainEventBus).settle();

    // Assert
    expect(before).toEqual([]);
    expect(at).toEqual([deviceId]);
    expect(gone).toEqual([`${deviceId}:silent`]);
    expect((await rows.findById(deviceId))?.state).toBe('offline');
    expect(await sut.countByState(new Date(deadline))).toMatchObject({ online: 0, offline: 1 });
  });

  it('should bring a device back online when it beats again after another node or the sweep took it offline', async () => {
    // Prepare: online, then taken offline behind this node's back (as the leader's sweep or another node would).
    const deviceId = await connectedDevice();
    await beat(deviceId, T0 + INTERVAL_MS);
    await rows.transition(deviceId, ['online'], 'offline');
    harness.get(DomainEventBus).publish({ type: 'DeviceGone', deviceId, reason: 'silent' });
    await harness.get(DomainEventBus).settle();
    const available: string[] = [];
    harness.get(DomainEventBus).on('DeviceAvailable', (event) => void available.push(event.deviceId));

    // Execute
    await beat(deviceId, T0 + 2 * INTERVAL_MS);
    await harness.get(DomainEventBus).settle();

    // Assert: the beat was written (not absorbed in memory) and made the device available again.
    expect((await rows.findById(deviceId))?.state).toBe('online');
    expect(available).toEqual([deviceId]);
  });

  it('should store one telemetry sample per device per sampling window and show the latest one live', async () => {
    // Prepare
    const deviceId = await connectedDevice();

    // Execute: 50 beats, one per second, free memory = the beat number.
    for (let n = 1; n <= 50; n += 1) await beat(deviceId, T0 + n * INTERVAL_MS, n);

    // Assert: samples at beats 1, 21 and 41 (one per 20 s window); the view has beat 50's.
    const history = await sut.telemetryHistory(deviceId);
    expect(history.map((sample) => sample.telemetry.freeMemoryBytes)).toEqual([41, 21, 1]);
    expect((await sut.get(deviceId, new Date(T0 + 50 * INTERVAL_MS)))?.telemetry?.freeMemoryBytes).toBe(50);
  });

  it('should leave a restarted coordinator every device offline until its Hello, whatever deadline its row carries', async () => {
    // Prepare: a device online with a stored deadline well in the future (slack of the coarse flush).
    const deviceId = await connectedDevice();
    await beat(deviceId, T0 + INTERVAL_MS);
    expect(Date.parse((await rows.findById(deviceId))!.online_until!)).toBeGreaterThan(T0 + FLUSH_MS);

    // Execute: what a coordinator start does, then the device's Hello on its new connection.
    const stale = await sut.markAllOffline();
    const whileAway = await sut.countByState(new Date(T0 + 2 * INTERVAL_MS));
    await sut.hello(deviceId, TEST_FACTS, {}, new Date(T0 + 3 * INTERVAL_MS));

    // Assert
    expect(stale).toBe(1);
    expect(whileAway).toMatchObject({ online: 0, offline: 1 });
    expect((await sut.get(deviceId, new Date(T0 + 3 * INTERVAL_MS)))?.state).toBe('online');
  });
});
