// Enrollment tokens, credentials and the device registry, against a real throwaway database.
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { ErrorCode } from '../../protocol/src/index.js';
import { ProtocolFault } from '../../protocol/src/index.js';
import { DeviceRepository } from '../../server/src/devices/device.repository.js';
import { DeviceService } from '../../server/src/devices/device.service.js';
import { DomainEventBus } from '../../server/src/events/event-bus.js';
import { EnrollmentTokenService } from '../../server/src/devices/enrollment-token.service.js';
import { generateSecret, hmacCredential, scryptCredential, sha256Hex, verifyCredential } from '../../server/src/security/secrets.js';
import { TEST_FACTS } from './support/coordinator-harness.js';
import { createServiceHarness, type ServiceHarness } from './support/service-harness.js';

async function codeOf(action: Promise<unknown>): Promise<ErrorCode> {
  try {
    await action;
  } catch (error) {
    if (error instanceof ProtocolFault) return error.code;
    throw error;
  }
  throw new Error('expected a ProtocolFault');
}

describe('secrets', () => {
  const key = Buffer.from(generateSecret(), 'base64url');

  it('should verify a credential against its HMAC under the server key and reject any other', async () => {
    const credential = generateSecret();
    const stored = hmacCredential(credential, key);
    expect(stored).toMatch(/^hmac-sha256\$/);
    expect(stored).not.toContain(credential);
    expect(await verifyCredential(credential, stored, key)).toEqual({ valid: true, outdated: false });
    expect((await verifyCredential(generateSecret(), stored, key)).valid).toBe(false);
    expect((await verifyCredential(credential, stored, Buffer.from(generateSecret(), 'base64url'))).valid).toBe(false);
    expect((await verifyCredential(credential, 'plain-text', key)).valid).toBe(false);
  });

  it('should still verify an earlier scrypt hash and mark it for replacement', async () => {
    const credential = generateSecret();
    const stored = await scryptCredential(credential);
    expect(await verifyCredential(credential, stored, key)).toEqual({ valid: true, outdated: true });
    expect((await verifyCredential(generateSecret(), stored, key)).valid).toBe(false);
    expect(await scryptCredential('same')).not.toBe(await scryptCredential('same'));
    expect(sha256Hex('abc')).toBe('ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad');
  });
});

describe(EnrollmentTokenService.name, () => {
  let harness: ServiceHarness;
  let sut: EnrollmentTokenService;

  beforeEach(async () => {
    harness = await createServiceHarness();
    sut = harness.get(EnrollmentTokenService);
  });

  afterEach(async () => harness.close());

  it('should accept a fresh token and refuse an unknown one', async () => {
    const { token, maxUses } = await sut.create({ maxUses: 2 });
    expect(maxUses).toBe(2);
    expect(await sut.check(token)).toEqual(expect.any(String));
    expect(await codeOf(sut.check('unknown'))).toBe(ErrorCode.ERROR_CODE_ENROLLMENT_TOKEN_UNKNOWN);
  });

  it('should refuse a token after its expiry', async () => {
    const issued = new Date('2030-01-01T00:00:00Z');
    const { token, expiresAt } = await sut.create({ ttlSeconds: 60 }, issued);
    expect(expiresAt).toBe('2030-01-01T00:01:00.000Z');
    expect(await sut.check(token, new Date('2030-01-01T00:00:59Z'))).toEqual(expect.any(String));
    expect(await codeOf(sut.check(token, new Date('2030-01-01T00:01:00Z')))).toBe(ErrorCode.ERROR_CODE_ENROLLMENT_TOKEN_EXPIRED);
  });

  it('should hand out exactly maxUses enrollments even when consumers race', async () => {
    // Prepare
    const { token } = await sut.create({ maxUses: 3 });
    const tokenId = await sut.check(token);

    // Execute
    const outcomes = await Promise.allSettled(Array.from({ length: 8 }, () => sut.consume(tokenId)));

    // Assert
    expect(outcomes.filter((o) => o.status === 'fulfilled')).toHaveLength(3);
    expect(await codeOf(sut.consume(tokenId))).toBe(ErrorCode.ERROR_CODE_ENROLLMENT_TOKEN_EXHAUSTED);
    expect(await codeOf(sut.check(token))).toBe(ErrorCode.ERROR_CODE_ENROLLMENT_TOKEN_EXHAUSTED);
  });

  it('should refuse invalid creation options', async () => {
    await expect(sut.create({ maxUses: 0 })).rejects.toThrow(RangeError);
    await expect(sut.create({ ttlSeconds: -5 })).rejects.toThrow(RangeError);
  });
});

describe(DeviceService.name, () => {
  let harness: ServiceHarness;
  let sut: DeviceService;
  let tokens: EnrollmentTokenService;

  beforeEach(async () => {
    harness = await createServiceHarness({ heartbeatIntervalMs: 1000 });
    sut = harness.get(DeviceService);
    tokens = harness.get(EnrollmentTokenService);
  });

  afterEach(async () => harness.close());

  async function enroll(now = new Date()) {
    const { token } = await tokens.create({ maxUses: 10 }, now);
    return sut.enroll({ tokenId: await tokens.check(token, now), facts: TEST_FACTS, displayName: 'box' }, now);
  }

  it('should register an enrolled device and authenticate only its own credential', async () => {
    // Prepare
    const first = await enroll();
    const second = await enroll();

    // Execute + Assert
    await expect(sut.authenticate(first.deviceId, first.credential)).resolves.toBeUndefined();
    expect(await codeOf(sut.authenticate(first.deviceId, second.credential))).toBe(ErrorCode.ERROR_CODE_CREDENTIAL_INVALID);
    expect(await codeOf(sut.authenticate('missing', first.credential))).toBe(ErrorCode.ERROR_CODE_CREDENTIAL_INVALID);
    // Offline until its Hello: enrolling is not a promise to take work on this connection.
    expect(await sut.get(first.deviceId)).toMatchObject({ displayName: 'box', state: 'offline', chosenBackend: 'wasm', facts: { cores: 2 } });
    await sut.hello(first.deviceId, TEST_FACTS);
    expect((await sut.get(first.deviceId))?.state).toBe('online');
  });

  it('should check handshakes that arrive together with one lookup, each against its own device', async () => {
    // Prepare: 300 devices (more than one 256-id chunk), one of them revoked.
    const devices = await Promise.all(Array.from({ length: 300 }, () => enroll()));
    const repository = harness.get(DeviceRepository);
    const revoked = devices[7]!;
    await sut.revoke(revoked.deviceId);
    const lookups: number[] = [];
    const findCredentials = repository.findCredentials.bind(repository);
    repository.findCredentials = async (ids) => {
      lookups.push(ids.length);
      return findCredentials(ids);
    };

    // Execute: every right credential, a wrong one, an unknown device and the revoked one, all in the same turn.
    const outcomes = await Promise.all([
      ...devices.map(({ deviceId, credential }) => codeOf(sut.authenticate(deviceId, credential)).catch(() => 'ok' as const)),
      codeOf(sut.authenticate(devices[0]!.deviceId, devices[1]!.credential)),
      codeOf(sut.authenticate('missing', devices[0]!.credential)),
    ]);

    // Assert
    expect(lookups).toEqual([302]);
    const wrongAndUnknown = outcomes.slice(300);
    expect(wrongAndUnknown).toEqual([ErrorCode.ERROR_CODE_CREDENTIAL_INVALID, ErrorCode.ERROR_CODE_CREDENTIAL_INVALID]);
    expect(outcomes[7]).toBe(ErrorCode.ERROR_CODE_DEVICE_REVOKED);
    expect(outcomes.slice(0, 300).filter((outcome) => outcome === 'ok')).toHaveLength(299);
  });

  it('should keep a device online when a connection closes that was not heard from since a newer one spoke', async () => {
    // Prepare: the device said Hello at t1 over a newer connection (e.g. through another coordinator node).
    const { deviceId } = await enroll();
    const t0 = new Date(Date.now() - 2000);
    const t1 = new Date(Date.now() - 1000);
    await sut.hello(deviceId, TEST_FACTS, {}, t1);

    // Execute: the older connection, last heard at t0, closes; then the newer one, last heard at t1.
    await sut.markOffline(deviceId, t0);
    const afterOldClosed = (await sut.get(deviceId))?.state;
    await sut.markOffline(deviceId, t1);

    // Assert
    expect(afterOldClosed).toBe('online');
    expect((await sut.get(deviceId))?.state).toBe('offline');
  });

  it('should keep a reserved device busy through a heartbeat that does not say (idle or busy is decided in the write)', async () => {
    const { deviceId } = await enroll();
    await sut.hello(deviceId, TEST_FACTS);
    await sut.markBusy(deviceId);

    await sut.heartbeat(deviceId, undefined);

    expect((await sut.get(deviceId))?.state).toBe('busy');
    await sut.hello(deviceId, TEST_FACTS, { busy: false });
    expect((await sut.get(deviceId))?.state).toBe('online');
  });

  it('should replace a stored scrypt hash by its HMAC on the first successful authentication', async () => {
    // Prepare: a device as an earlier coordinator version stored it.
    const { deviceId, credential } = await enroll();
    const repository = harness.get(DeviceRepository);
    await repository.update(deviceId, { credential_hash: await scryptCredential(credential) });

    // Execute
    const wrong = await codeOf(sut.authenticate(deviceId, generateSecret()));
    const stillScrypt = (await repository.findById(deviceId))?.credential_hash;
    await sut.authenticate(deviceId, credential);

    // Assert
    expect(wrong).toBe(ErrorCode.ERROR_CODE_CREDENTIAL_INVALID);
    expect(stillScrypt).toMatch(/^scrypt\$/);
    expect((await repository.findById(deviceId))?.credential_hash).toMatch(/^hmac-sha256\$/);
    await expect(sut.authenticate(deviceId, credential)).resolves.toBeUndefined();
  });

  it('should keep a device online until patience × heartbeat interval after its last heartbeat', async () => {
    // Prepare: enrolled at t0, heartbeat at t0 + 2 s (interval 1 s, patience 3).
    const t0 = new Date('2030-01-01T00:00:00Z');
    const { deviceId } = await enroll(t0);
    await sut.heartbeat(deviceId, { freeMemoryBytes: 1, rssBytes: 2, loadAverage_1m: 0.1, temperatureCelsius: -1, batteryLevel: -1, charging: false }, {}, new Date(t0.getTime() + 2000));

    // Execute
    const stillOnline = await sut.sweepExpired(new Date(t0.getTime() + 4999));
    const expired = await sut.sweepExpired(new Date(t0.getTime() + 5000));

    // Assert
    expect(stillOnline).toEqual([]);
    expect(expired).toEqual([deviceId]);
    expect((await sut.get(deviceId))?.state).toBe('offline');
    expect((await sut.get(deviceId))?.telemetry).toMatchObject({ rssBytes: 2 });
  });

  it('should write a batch of heartbeats at once: a fault for revoked and unknown devices, the last beat of a device decides, one telemetry sample per device kept', async () => {
    // Prepare: a busy device, an idle one that went silent, a revoked one.
    const busy = await enroll();
    const silent = await enroll();
    const revoked = await enroll();
    for (const { deviceId } of [busy, silent, revoked]) await sut.hello(deviceId, TEST_FACTS);
    await sut.sweepExpired(new Date(Date.now() + 60_000));
    await sut.hello(busy.deviceId, TEST_FACTS);
    await sut.markBusy(busy.deviceId);
    await sut.revoke(revoked.deviceId);
    const available: string[] = [];
    harness.get(DomainEventBus).on('DeviceAvailable', ({ deviceId }) => void available.push(deviceId));
    const sample = (freeMemoryBytes: number) => ({ freeMemoryBytes, rssBytes: 2, loadAverage_1m: 0, temperatureCelsius: -1, batteryLevel: -1, charging: false });

    // Execute
    const faults = await sut.recordHeartbeats([
      { deviceId: busy.deviceId, telemetry: sample(1), options: { presence: false } },
      { deviceId: silent.deviceId, telemetry: sample(10), options: {} },
      { deviceId: revoked.deviceId, telemetry: sample(20), options: {} },
      { deviceId: 'no-such-device', telemetry: undefined, options: {} },
      { deviceId: busy.deviceId, telemetry: sample(2), options: {} },
    ]);
    await harness.get(DomainEventBus).settle();

    // Assert
    expect(faults.map((fault) => fault?.code)).toEqual([
      undefined,
      undefined,
      ErrorCode.ERROR_CODE_DEVICE_REVOKED,
      ErrorCode.ERROR_CODE_NOT_FOUND,
      undefined,
    ]);
    expect((await sut.get(busy.deviceId))?.state).toBe('busy');
    expect((await sut.get(busy.deviceId))?.telemetry?.freeMemoryBytes).toBe(2);
    expect((await sut.telemetryHistory(busy.deviceId)).map((s) => s.telemetry.freeMemoryBytes)).toEqual([2]);
    expect((await sut.get(silent.deviceId))?.state).toBe('online');
    expect(available).toEqual([silent.deviceId]);
    expect((await sut.get(revoked.deviceId))?.state).toBe('offline');
    expect(await sut.telemetryHistory(revoked.deviceId)).toEqual([]);
  });

  it('should keep only the newest telemetry samples of each device when heartbeats arrive in batches', async () => {
    const { deviceId } = await enroll();
    await sut.hello(deviceId, TEST_FACTS);
    const keep = harness.config.telemetryHistory;
    const t0 = Date.parse('2030-01-01T00:00:00Z');
    for (let beat = 0; beat < keep + 5; beat += 1) {
      const telemetry = { freeMemoryBytes: beat + 1, rssBytes: 1, loadAverage_1m: 0, temperatureCelsius: -1, batteryLevel: -1, charging: false };
      // One sample per telemetrySampleMs window is stored: one beat per window.
      await sut.recordHeartbeats([{ deviceId, telemetry, options: {} }], new Date(t0 + beat * harness.config.telemetrySampleMs));
    }
    const history = await sut.telemetryHistory(deviceId, keep + 10);
    expect(history).toHaveLength(keep);
    expect(history[0]?.telemetry.freeMemoryBytes).toBe(keep + 5);
    expect(history.at(-1)?.telemetry.freeMemoryBytes).toBe(6);
  });

  it('should reserve an idle device only once and keep it busy across heartbeats', async () => {
    const { deviceId } = await enroll();
    expect(await sut.markBusy(deviceId)).toBe(false); // not online before its Hello
    await sut.hello(deviceId, TEST_FACTS);
    expect(await sut.markBusy(deviceId)).toBe(true);
    expect(await sut.markBusy(deviceId)).toBe(false);
    await sut.heartbeat(deviceId, undefined);
    expect((await sut.get(deviceId))?.state).toBe('busy');
    await sut.markIdle(deviceId);
    expect(await sut.listIdle()).toEqual([deviceId]);
    expect(await sut.countByState()).toEqual({ online: 1, offline: 0, busy: 0 });
  });
});
