// startCoordinator with and without redisUrl: the ClusterModule's providers, the device channel's Redis adapter
// (a push from one node's gateway reaches a device connected to the other), and a shutdown that leaves no Redis
// connection. Two nodes here share Redis but not a database (PostgreSQL sharing is another part of issue 14).
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { INestApplication } from '@nestjs/common';
import { Redis } from 'ioredis';
import type { Server } from 'socket.io';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { LEADERSHIP, SoleLeadership, type Leadership } from '../../../server/src/cluster/leadership.js';
import { RedisLeaseLeadership } from '../../../server/src/cluster/redis-lease-leadership.js';
import { RedisStreamsEventTransport } from '../../../server/src/cluster/redis-streams-event-transport.js';
import { startCoordinator } from '../../../server/src/coordinator.js';
import type { DomainEvent } from '../../../server/src/events/domain-events.js';
import { DomainEventBus, type EventOrigin } from '../../../server/src/events/event-bus.js';
import { EVENT_TRANSPORT, type EventTransport } from '../../../server/src/events/event-transport.js';
import { FleetGateway } from '../../../server/src/gateway/fleet.gateway.js';
import { deviceRoom } from '../../../server/src/gateway/socket.types.js';
import { startRedisServer, type TestRedisServer } from '../../../testkit/redis-server.js';
import { enrollAndConnect, startTestCoordinator } from '../support/coordinator-harness.js';
import { redisClientNames, waitFor } from './support.js';

let redis: TestRedisServer;
let probe: Redis;

beforeAll(async () => {
  redis = await startRedisServer();
  probe = new Redis(redis.url);
});

afterAll(async () => {
  probe.disconnect();
  await redis?.stop();
});

/** The gateway's socket.io server (a private field: read here only to push the way the coordinator pushes). */
function deviceServerOf(app: INestApplication): Server {
  return (app.get(FleetGateway) as unknown as { server: Server }).server;
}

describe('a coordinator without Redis', () => {
  it('is always the leader and has no event transport', async () => {
    const node = await startTestCoordinator();
    try {
      expect(node.coordinator.app.get<Leadership>(LEADERSHIP)).toBeInstanceOf(SoleLeadership);
      expect(() => node.coordinator.app.get(EVENT_TRANSPORT)).toThrow();
    } finally {
      await node.stop();
    }
  });
});

describe('two coordinators sharing Redis', () => {
  it('elect one leader, carry events and device pushes between them, and close every Redis connection', async () => {
    const a = await startTestCoordinator({ redisUrl: redis.url, nodeId: 'node-a' });
    const b = await startTestCoordinator({ redisUrl: redis.url, nodeId: 'node-b' });
    try {
      const leaders = [a, b].map((node) => node.coordinator.app.get<Leadership>(LEADERSHIP));
      expect(leaders[0]).toBeInstanceOf(RedisLeaseLeadership);
      expect(leaders.filter((leadership) => leadership.isLeader())).toHaveLength(1);

      expect(a.coordinator.app.get<EventTransport>(EVENT_TRANSPORT)).toBeInstanceOf(RedisStreamsEventTransport);
      // Each node's bus started its transport: an event published on one node reaches the other's subscribers.
      const heardByA: Array<[DomainEvent, EventOrigin]> = [];
      const heardByB: Array<[DomainEvent, EventOrigin]> = [];
      const busA = a.coordinator.app.get(DomainEventBus);
      const busB = b.coordinator.app.get(DomainEventBus);
      busA.on('CampaignCellDone', (event, origin) => void heardByA.push([event, origin]));
      busB.on('CampaignCellDone', (event, origin) => void heardByB.push([event, origin]));
      busA.on('JobFinished', (event, origin) => void heardByA.push([event, origin]));
      busB.on('JobFinished', (event, origin) => void heardByB.push([event, origin]));
      busA.on('ReportApplied', (event, origin) => void heardByA.push([event, origin]));
      busB.on('ReportApplied', (event, origin) => void heardByB.push([event, origin]));
      const cellDone: DomainEvent = { type: 'CampaignCellDone', campaignId: 'c-1', jobId: 'job-1', cellId: 'cell-1' };
      const finished: DomainEvent = { type: 'JobFinished', jobId: 'job-2', state: 'succeeded' };
      // ReportApplied is node-local (NODE_LOCAL_EVENT_TYPES): published on B before B's JobFinished, so once A has
      // heard that one, it would have heard the report too had it crossed.
      const applied: DomainEvent = { type: 'ReportApplied', jobId: 'job-2', attempt: 1, kind: 'progress' };
      busA.publish(cellDone);
      busB.publish(applied);
      busB.publish(finished);
      await waitFor(() => heardByA.length === 2 && heardByB.length === 3);
      expect(heardByA).toEqual([[cellDone, 'local'], [finished, 'remote']]);
      expect(heardByB).toEqual(expect.arrayContaining([[cellDone, 'remote'], [applied, 'local'], [finished, 'local']]));
      expect(heardByB).toHaveLength(3);

      // A device connected to node B, addressed by node A through its room.
      const device = await enrollAndConnect(b);
      const pushed = new Promise<unknown>((resolve) => device.socket.once('cluster-test', resolve));
      deviceServerOf(a.coordinator.app).to(deviceRoom(device.deviceId)).emit('cluster-test', Buffer.from([1, 2, 3]));
      expect(new Uint8Array((await pushed) as Buffer)).toEqual(new Uint8Array([1, 2, 3]));
      const seenFromA = await deviceServerOf(a.coordinator.app).in(deviceRoom(device.deviceId)).fetchSockets();
      expect(seenFromA.map((socket) => socket.id)).toEqual([device.socket.id]);
      device.socket.close();

      // Per node: leadership, event publisher and reader, the adapter's client, its stream reader and subscriber.
      expect(await redisClientNames(probe)).toHaveLength(12);
    } finally {
      await Promise.all([a.stop(), b.stop()]);
    }
    expect(await redisClientNames(probe)).toEqual([]);
    expect(await probe.exists('sparsefleet:leader')).toBe(0);
  });

  it('refuses to start when Redis is unreachable, naming its address', async () => {
    const dataDir = mkdtempSync(join(tmpdir(), 'sparsefleet-server-'));
    try {
      await expect(startCoordinator({ port: 0, dataDir, logLevel: 'silent', redisUrl: 'redis://127.0.0.1:1' })).rejects.toThrow(
        /cannot reach Redis at 127\.0\.0\.1:1 /,
      );
    } finally {
      rmSync(dataDir, { recursive: true, force: true });
    }
  });
});
