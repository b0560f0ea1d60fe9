// Two in-process coordinator nodes on one PostgreSQL database and one Redis: what an operator does on one node
// reaches a device held by the other (a job cancel, a revocation), a device that reconnects through the other node
// loses its older connection and stays online, and a job submitted on one node is assigned by the node holding the
// only idle device. Runs in the `postgres` test project only.
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { ErrorCode } from '../../../protocol/src/index.js';
import { startRedisServer, type TestRedisServer } from '../../../testkit/redis-server.js';
import { api, connect, eventually, request, startTestCoordinator, TEST_FACTS, type TestCoordinator } from '../support/coordinator-harness.js';
import { nthAssignment, onlineDevice, pushesOf } from '../support/job-messages.js';

const JOB = { config: { model: 'mlp', data: { name: 'synthetic', trainLimit: 64 }, maxSteps: 2 } };

describe('two coordinator nodes on one database', () => {
  let redis: TestRedisServer;
  let a: TestCoordinator;
  let b: TestCoordinator;

  beforeAll(async () => {
    redis = await startRedisServer();
  });

  afterAll(async () => {
    await redis?.stop();
  });

  afterEach(async () => {
    // b shares a's database: b stops first, a (the owner) drops it.
    await b?.stop();
    await a?.stop();
  });

  async function startNodes(): Promise<void> {
    a = await startTestCoordinator({ redisUrl: redis.url, nodeId: 'node-a' });
    b = await startTestCoordinator({ redisUrl: redis.url, nodeId: 'node-b', databaseUrl: a.databaseUrl });
  }

  it('assigns a job submitted on one node through the node that holds the device, and cancels it from the first', async () => {
    await startNodes();
    const device = await onlineDevice(b, 'on-b');

    const submitted = await api<{ id: string }>(a, 'POST', '/api/jobs', JOB);
    const assignment = await nthAssignment(device);
    const cancelled = await api<{ state: string }>(a, 'POST', `/api/jobs/${submitted.body.id}/cancel`);

    expect(assignment.jobId).toBe(submitted.body.id);
    expect(cancelled.body.state).toBe('cancelled');
    const cancel = await eventually(async () => pushesOf(device.pushes, 'sparsefleet.v1.JobCancel')[0], 400);
    expect(cancel.jobId).toBe(submitted.body.id);
    device.socket.close();
  });

  it('drops the device held by the other node when it is revoked on this one', async () => {
    await startNodes();
    const device = await onlineDevice(b, 'revoked-on-a');
    const disconnected = new Promise<void>((resolve) => device.socket.once('disconnect', () => resolve()));

    const revoked = await api(a, 'POST', `/api/devices/${device.deviceId}/revoke`);
    await disconnected;

    expect(revoked.status).toBe(200);
    const errors = pushesOf(device.pushes, 'sparsefleet.v1.ProtocolError');
    expect(errors.map((error) => error.code)).toContain(ErrorCode.ERROR_CODE_DEVICE_REVOKED);
  });

  it('keeps a device online when it reconnects through the other node while its old connection closes', async () => {
    await startNodes();
    const device = await onlineDevice(b, 'mover');
    const oldClosed = new Promise<void>((resolve) => device.socket.once('disconnect', () => resolve()));

    const moved = await connect(a.coordinator.url, { deviceId: device.deviceId, credential: device.credential });
    const hello = await request(moved, 'sparsefleet.v1.HelloRequest', { facts: TEST_FACTS, runningJobIds: [] });
    await oldClosed;

    expect(hello.type).toBe('sparsefleet.v1.HelloResponse');
    // The old connection's disconnect on node B must not mark the device offline: it was heard since, on node A.
    const state = await eventually(async () => {
      const view = await api<{ state: string }>(b, 'GET', `/api/devices/${device.deviceId}`);
      return view.body.state;
    });
    await new Promise((resolve) => setTimeout(resolve, 300));
    expect((await api<{ state: string }>(a, 'GET', `/api/devices/${device.deviceId}`)).body.state).toBe('online');
    expect(state).toBe('online');
    moved.close();
  });
});

