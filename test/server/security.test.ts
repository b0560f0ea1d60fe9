// Operator API keys, enrollment-token management, credential replacement, revocation and rate limits against a
// real coordinator with raw socket.io clients.
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { z } from 'zod';
import { DeviceDto, EnrollmentTokenDto } from '../../server/src/api/dto/index.js';
import { apiDto } from './support/rest-dto.js';
import { ErrorCode } from '../../protocol/src/index.js';
import { DEVICE_CHANNEL_EVENT, decodeFrame, expectMessage, type DecodedMessage, type MessageOf } from '../../protocol/src/index.js';
import { createApiKey } from '../../server/src/bootstrap/api-key.js';
import { startCoordinator } from '../../server/src/coordinator.js';
import { ApiKeyGuard } from '../../server/src/security/api-key.guard.js';
import { createTestDatabase } from '../support/test-database.js';
import {
  TEST_FACTS,
  api,
  connect,
  enrollAndConnect,
  heartbeat,
  rawApi,
  refusalOf,
  request,
  startTestCoordinator,
  type TestCoordinator,
} from './support/coordinator-harness.js';

async function enrollWith(url: string, token: string, previousDeviceId?: string, previousCredential?: string) {
  const socket = await connect(url, { enrollmentToken: token });
  const reply = await request(socket, 'sparsefleet.v1.EnrollRequest', { facts: TEST_FACTS, displayName: 'sec', previousDeviceId, previousCredential });
  socket.close();
  return reply;
}

describe(ApiKeyGuard.name, () => {
  let test: TestCoordinator;

  beforeAll(async () => {
    test = await startTestCoordinator();
  });

  afterAll(async () => {
    await test?.stop();
  });

  it('should answer 401 without a key or with a wrong one, and serve a valid key in either header', async () => {
    const url = test.coordinator.url;
    const missing = await rawApi<{ message: string }>(url, 'GET', '/api/jobs');
    const wrong = await rawApi(url, 'GET', '/api/jobs', { headers: { authorization: 'Bearer sfk_not-a-real-key' } });
    const garbage = await rawApi(url, 'POST', '/api/enrollment-tokens', { headers: { 'x-api-key': 'nope' }, body: {} });
    const bearer = await rawApi(url, 'GET', '/api/jobs', { headers: { authorization: `Bearer ${test.apiKey}` } });
    const header = await rawApi(url, 'GET', '/api/devices', { headers: { 'x-api-key': test.apiKey } });
    const docs = await rawApi(url, 'GET', '/api/docs/json');
    const health = await rawApi(url, 'GET', '/healthz');
    const metrics = await rawApi(url, 'GET', '/metrics');
    // Express matches routes case-insensitively: the guard must not be a path check.
    const upperCase = await rawApi(url, 'GET', '/API/jobs');
    const mixedCase = await rawApi(url, 'POST', '/Api/enrollment-tokens', { body: {} });

    expect(upperCase.status).toBe(401);
    expect(mixedCase.status).toBe(401);
    expect(metrics.status).toBe(200);
    expect(missing.status).toBe(401);
    expect(missing.body.message).toContain('API key is required');
    expect(wrong.status).toBe(401);
    expect(garbage.status).toBe(401);
    expect(bearer.status).toBe(200);
    expect(header.status).toBe(200);
    expect(docs.status).toBe(200);
    expect(health.status).toBe(200);
  });

  it('should list and revoke enrollment tokens without ever showing the secret, and label devices they enroll', async () => {
    // Prepare
    const created = await api<{ id: string; token: string; prefix: string; labels: Record<string, string> }>(test, 'POST', '/api/enrollment-tokens', {
      maxUses: 3,
      labels: { site: 'lab', rack: 'r2' },
    });
    const enrolled = expectMessage(await enrollWith(test.coordinator.url, created.body.token), 'sparsefleet.v1.EnrollResponse');

    // Execute
    const listed = await apiDto(test, z.array(EnrollmentTokenDto), 'GET', '/api/enrollment-tokens');
    const revoked = await apiDto(test, EnrollmentTokenDto, 'DELETE', `/api/enrollment-tokens/${created.body.id}`);
    const refusal = await refusalOf(test.coordinator.url, { enrollmentToken: created.body.token });
    const missing = await api(test, 'DELETE', '/api/enrollment-tokens/no-such-token');
    const device = await api<{ labels: Record<string, string> }>(test, 'GET', `/api/devices/${enrolled.deviceId}`);

    // Assert
    expect(created.status).toBe(201);
    expect(created.body.token.startsWith(created.body.prefix)).toBe(true);
    const entry = listed.body.find((token) => token.id === created.body.id);
    expect(entry).toMatchObject({ prefix: created.body.prefix, uses: 1, maxUses: 3, revokedAt: null, labels: { site: 'lab', rack: 'r2' } });
    expect(JSON.stringify(listed.body)).not.toContain(created.body.token);
    expect(revoked.body.revokedAt).toEqual(expect.any(String));
    expect(refusal.code).toBe(ErrorCode.ERROR_CODE_ENROLLMENT_TOKEN_REVOKED);
    expect(missing.status).toBe(404);
    expect(device.body.labels).toEqual({ rack: 'r2', site: 'lab' });
  });

  it('should refuse forged credentials and replace the credential on a proven re-enrollment, refusing the replayed old one', async () => {
    // Prepare
    const device = await enrollAndConnect(test, 'rotating');
    device.socket.close();
    const { token } = await test.coordinator.createEnrollmentToken();

    // Execute
    const forged = await refusalOf(test.coordinator.url, { deviceId: device.deviceId, credential: 'A'.repeat(43) });
    const again = expectMessage(
      await enrollWith(test.coordinator.url, token, device.deviceId, device.credential),
      'sparsefleet.v1.EnrollResponse',
    );
    const replayed = await refusalOf(test.coordinator.url, { deviceId: device.deviceId, credential: device.credential });
    const fresh = await connect(test.coordinator.url, { deviceId: again.deviceId, credential: again.credential });
    const served = await heartbeat(fresh);
    fresh.close();

    // Assert
    expect(forged.code).toBe(ErrorCode.ERROR_CODE_CREDENTIAL_INVALID);
    expect(again.deviceId).toBe(device.deviceId);
    expect(again.reenrolled).toBe(true);
    expect(again.credential).not.toBe(device.credential);
    expect(replayed.code).toBe(ErrorCode.ERROR_CODE_CREDENTIAL_INVALID);
    expect(served.type).toBe('sparsefleet.v1.HeartbeatAck');
  });

  it('should disconnect a revoked device at once with DEVICE_REVOKED and refuse it from then on', async () => {
    // Prepare
    const device = await enrollAndConnect(test, 'to-revoke');
    await request(device.socket, 'sparsefleet.v1.HelloRequest', { facts: TEST_FACTS, runningJobIds: [] });
    const pushed = new Promise<DecodedMessage>((resolve) =>
      device.socket.once(DEVICE_CHANNEL_EVENT, (frame: unknown) => resolve(decodeFrame(frame))),
    );
    const dropped = new Promise<string>((resolve) => device.socket.once('disconnect', (reason) => resolve(reason)));

    // Execute
    const revoked = await apiDto(test, DeviceDto, 'POST', `/api/devices/${device.deviceId}/revoke`);
    const error = await pushed;
    const reason = await dropped;
    const reconnect = await refusalOf(test.coordinator.url, { deviceId: device.deviceId, credential: device.credential });
    const { token } = await test.coordinator.createEnrollmentToken();
    const reenroll = await enrollWith(test.coordinator.url, token, device.deviceId);
    const unknown = await api(test, 'POST', '/api/devices/no-such-device/revoke');

    // Assert
    expect(revoked.status).toBe(200);
    expect(revoked.body).toMatchObject({ state: 'offline', revokedAt: expect.any(String) });
    expect((error.message as MessageOf<'sparsefleet.v1.ProtocolError'>).code).toBe(ErrorCode.ERROR_CODE_DEVICE_REVOKED);
    expect(reason).toBe('io server disconnect');
    expect(reconnect.code).toBe(ErrorCode.ERROR_CODE_DEVICE_REVOKED);
    expect((reenroll.message as MessageOf<'sparsefleet.v1.ProtocolError'>).code).toBe(ErrorCode.ERROR_CODE_DEVICE_REVOKED);
    expect(unknown.status).toBe(404);
  });
});

describe('rate limits', () => {
  let test: TestCoordinator;

  beforeAll(async () => {
    test = await startTestCoordinator({
      enrollmentRateLimit: { limit: 2, windowMs: 60_000 },
      restRateLimit: { limit: 3, windowMs: 60_000 },
      requireApiKey: false,
    });
  });

  afterAll(async () => {
    await test?.stop();
  });

  it('should refuse enrollments beyond the per-address limit with RATE_LIMITED', async () => {
    const { token } = await test.coordinator.createEnrollmentToken({ maxUses: 5 });
    const enrolled = expectMessage(await enrollWith(test.coordinator.url, token), 'sparsefleet.v1.EnrollResponse');
    expectMessage(await enrollWith(test.coordinator.url, token), 'sparsefleet.v1.EnrollResponse');
    const guess = await refusalOf(test.coordinator.url, { enrollmentToken: 'guessed-token' });
    const limited = await enrollWith(test.coordinator.url, token);
    // Devices with credentials are not enrollments: they still connect.
    const device = await connect(test.coordinator.url, { deviceId: enrolled.deviceId, credential: enrolled.credential });
    device.close();

    expect(guess.code).toBe(ErrorCode.ERROR_CODE_ENROLLMENT_TOKEN_UNKNOWN);
    expect(limited.message).toMatchObject({ code: ErrorCode.ERROR_CODE_RATE_LIMITED, message: expect.stringContaining('enrollments') });
  });

  it('should throttle operator REST per address with 429 (no key needed when requireApiKey is off)', async () => {
    const statuses: number[] = [];
    for (let i = 0; i < 4; i++) statuses.push((await rawApi(test.coordinator.url, 'GET', '/api/stats')).status);
    const health = await rawApi(test.coordinator.url, 'GET', '/healthz');
    expect(statuses).toEqual([200, 200, 200, 429]);
    expect(health.status).toBe(200);
  });
});

describe(createApiKey.name, () => {
  it('should create a key in a data dir that a coordinator started later accepts', async () => {
    const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'sparsefleet-apikey-'));
    const { databaseUrl, drop } = await createTestDatabase();
    try {
      const created = await createApiKey({ dataDir, databaseUrl, name: 'ops' });
      const coordinator = await startCoordinator({ port: 0, dataDir, databaseUrl, logLevel: 'silent' });
      try {
        const ok = await rawApi(coordinator.url, 'GET', '/api/jobs', { headers: { authorization: `Bearer ${created.key}` } });
        const wrong = await rawApi(coordinator.url, 'GET', '/api/jobs', { headers: { authorization: `Bearer ${created.key}x` } });
        expect(created.key).toMatch(/^sfk_[A-Za-z0-9_-]{43}$/);
        expect(ok.status).toBe(200);
        expect(wrong.status).toBe(401);
      } finally {
        await coordinator.close();
      }
    } finally {
      await drop();
      fs.rmSync(dataDir, { recursive: true, force: true });
    }
  });
});

