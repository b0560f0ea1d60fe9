// Finding 1: an EnrollRequest naming another device's id, sent with any valid enrollment token, used to take that
// device over (new credential, the real device locked out, the token's labels merged, its job reportable by the
// newcomer). Now an identity claim needs proof — the device's current credential — or an operator's reclaim token.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { z } from 'zod';
import { AuditEntryDto, CreatedEnrollmentTokenDto } from '../../server/src/api/dto/index.js';
import { apiDto } from '../server/support/rest-dto.js';
import { ErrorCode } from '../../protocol/src/index.js';
import { expectMessage, type MessageOf } from '../../protocol/src/index.js';
import {
  TEST_FACTS,
  api,
  connect,
  heartbeat,
  refusalOf,
  request,
  startTestCoordinator,
  type TestCoordinator,
} from '../server/support/coordinator-harness.js';
import { errorCodeOf, jobResult, nthAssignment, onlineDevice, progressReport } from '../server/support/job-messages.js';

interface DeviceBody {
  id: string;
  displayName: string;
  labels: Record<string, string>;
  facts: { deviceModel: string };
}

const ATTACKER_FACTS = { ...TEST_FACTS, deviceModel: 'attacker-box' };

async function enrollClaiming(test: TestCoordinator, token: string, previousDeviceId: string, previousCredential?: string) {
  const socket = await connect(test.coordinator.url, { enrollmentToken: token });
  const reply = await request(socket, 'sparsefleet.v1.EnrollRequest', { facts: ATTACKER_FACTS, displayName: 'intruder', previousDeviceId, previousCredential });
  return { socket, reply };
}

describe('re-enrollment proves identity', () => {
  let test: TestCoordinator;

  beforeAll(async () => {
    test = await startTestCoordinator();
  });

  afterAll(async () => {
    await test?.stop();
  });

  it('should enroll a new device, not take over the named one, when the claim comes without proof or with a wrong one', async () => {
    // Prepare: the victim runs a job; the attacker holds a valid token with labels of its own.
    const victim = await onlineDevice(test, 'victim');
    await api(test, 'POST', '/api/jobs', { config: { model: 'mlp', data: { name: 'synthetic', trainLimit: 64 }, epochs: 1, maxSteps: 40 } });
    const job = await nthAssignment(victim);
    const { token } = await test.coordinator.createEnrollmentToken({ maxUses: 2, labels: { owner: 'attacker' } });

    // Execute
    const bare = await enrollClaiming(test, token, victim.deviceId);
    const guessed = await enrollClaiming(test, token, victim.deviceId, 'A'.repeat(43));
    const intruder = expectMessage(bare.reply, 'sparsefleet.v1.EnrollResponse');
    const forged = await request(bare.socket, 'sparsefleet.v1.JobResult', jobResult(job.jobId, job.attempt));
    const stillServed = await heartbeat(victim.socket);
    const victimView = (await api<DeviceBody>(test, 'GET', `/api/devices/${victim.deviceId}`)).body;
    const intruderView = (await api<DeviceBody>(test, 'GET', `/api/devices/${intruder.deviceId}`)).body;
    // The victim's credential still works (a reconnect replaces its older connection) and its job is still its own.
    const reconnect = await connect(test.coordinator.url, { deviceId: victim.deviceId, credential: victim.credential });
    const ownReport = await request(reconnect, 'sparsefleet.v1.ProgressReport', progressReport(job.jobId, job.attempt, 1));

    // Assert
    expect(intruder.deviceId).not.toBe(victim.deviceId);
    expect(intruder.reenrolled).toBe(false);
    expect(expectMessage(guessed.reply, 'sparsefleet.v1.EnrollResponse').deviceId).not.toBe(victim.deviceId);
    expect(errorCodeOf(forged)).toBe(ErrorCode.ERROR_CODE_FORBIDDEN);
    expect(stillServed.type).toBe('sparsefleet.v1.HeartbeatAck');
    expect(victimView.labels).toEqual({});
    expect(victimView.facts.deviceModel).toBe(TEST_FACTS.deviceModel);
    expect(intruderView.labels).toEqual({ owner: 'attacker' });
    expect(reconnect.connected).toBe(true);
    expect(ownReport.type).toBe('sparsefleet.v1.Ack');
    for (const socket of [bare.socket, guessed.socket, reconnect, victim.socket]) socket.close();
  });

  it('should re-enroll the same device with its current credential as proof, keeping its labels', async () => {
    // Prepare
    const device = await onlineDevice(test, 'rotating');
    await api(test, 'PUT', `/api/devices/${device.deviceId}/labels`, { labels: { rack: 'r1' } });
    const { token } = await test.coordinator.createEnrollmentToken({ labels: { owner: 'someone-else' } });

    // Execute
    const { socket, reply } = await enrollClaiming(test, token, device.deviceId, device.credential);
    const rotated = expectMessage(reply, 'sparsefleet.v1.EnrollResponse');
    const oldOne = await refusalOf(test.coordinator.url, { deviceId: device.deviceId, credential: device.credential });
    const view = (await api<DeviceBody>(test, 'GET', `/api/devices/${device.deviceId}`)).body;

    // Assert
    expect(rotated).toMatchObject({ deviceId: device.deviceId, reenrolled: true });
    expect(oldOne.code).toBe(ErrorCode.ERROR_CODE_CREDENTIAL_INVALID);
    expect(view.labels).toEqual({ rack: 'r1' });
    expect(view.facts.deviceModel).toBe(TEST_FACTS.deviceModel);
    socket.close();
    device.socket.close();
  });

  it('should let an operator reclaim a device with an audited single-use token that kicks the old holder', async () => {
    // Prepare: a device whose credential is lost (it is still connected with it somewhere).
    const lost = await onlineDevice(test, 'wiped-phone');
    const dropped = new Promise<void>((resolve) => lost.socket.once('disconnect', () => resolve()));

    // Execute
    const issued = await apiDto(test, CreatedEnrollmentTokenDto, 'POST', `/api/devices/${lost.deviceId}/reclaim`, {});
    const enrolling = await connect(test.coordinator.url, { enrollmentToken: issued.body.token });
    const reclaimed = expectMessage(
      await request(enrolling, 'sparsefleet.v1.EnrollRequest', { facts: TEST_FACTS, displayName: 'phone' }),
      'sparsefleet.v1.EnrollResponse',
    );
    await dropped;
    const oldCredential = await refusalOf(test.coordinator.url, { deviceId: lost.deviceId, credential: lost.credential });
    const reused = await refusalOf(test.coordinator.url, { enrollmentToken: issued.body.token });
    const wrongTarget = await api<{ token: string }>(test, 'POST', `/api/devices/${lost.deviceId}/reclaim`, {});
    const otherSocket = await connect(test.coordinator.url, { enrollmentToken: wrongTarget.body.token });
    const misused = await request(otherSocket, 'sparsefleet.v1.EnrollRequest', { facts: TEST_FACTS, displayName: 'x', previousDeviceId: 'someone-else' });
    const unknown = await api(test, 'POST', '/api/devices/no-such-device/reclaim', {});
    const audit = (await apiDto(test, z.array(AuditEntryDto), 'GET', '/api/audit-log')).body;

    // Assert
    expect(issued.status).toBe(201);
    expect(issued.body.reclaimDeviceId).toBe(lost.deviceId);
    expect(reclaimed).toMatchObject({ deviceId: lost.deviceId, reenrolled: true });
    expect(oldCredential.code).toBe(ErrorCode.ERROR_CODE_CREDENTIAL_INVALID);
    expect(reused.code).toBe(ErrorCode.ERROR_CODE_ENROLLMENT_TOKEN_EXHAUSTED);
    expect(errorCodeOf(misused)).toBe(ErrorCode.ERROR_CODE_FORBIDDEN);
    expect(unknown.status).toBe(404);
    expect(audit.filter((entry) => entry.target === lost.deviceId).map((entry) => entry.action)).toEqual([
      'device.reclaim-issued',
      'device.reclaimed',
      'device.reclaim-issued',
    ]);
    expect(audit.find((entry) => entry.action === 'device.reclaim-issued')?.actor).toMatch(/^api-key:/);
    enrolling.close();
    otherSocket.close();
  });

  it('should refuse to reclaim a revoked device', async () => {
    const device = await onlineDevice(test, 'revoked');
    await api(test, 'POST', `/api/devices/${device.deviceId}/revoke`);
    const refused = await api<{ message: string }>(test, 'POST', `/api/devices/${device.deviceId}/reclaim`, {});
    expect(refused.status).toBe(409);
    expect(refused.body.message).toContain('revoked');
    device.socket.close();
  });
});
