// Domain events between two coordinator nodes over a real redis-server: each node hears the other's events in the
// order they were published and never its own; stop() cuts off a blocking read and leaves no connection behind.
import { Redis } from 'ioredis';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import type { TransportedEvent } from '../../../server/src/events/event-transport.js';
import { RedisStreamsEventTransport } from '../../../server/src/cluster/redis-streams-event-transport.js';
import { startRedisServer, type TestRedisServer } from '../../../testkit/redis-server.js';
import { redisClientNames, startTcpRelay, waitFor } from './support.js';

let redis: TestRedisServer;
let probe: Redis;
const transports: RedisStreamsEventTransport[] = [];

beforeAll(async () => {
  redis = await startRedisServer();
  probe = new Redis(redis.url);
});

afterEach(async () => {
  await Promise.all(transports.splice(0).map((transport) => transport.stop()));
  await probe.flushall();
});

afterAll(async () => {
  probe.disconnect();
  await redis?.stop();
});

function transport(nodeId: string, extra: { blockMs?: number } = {}): RedisStreamsEventTransport {
  const created = new RedisStreamsEventTransport({ url: redis.url, nodeId, ...extra });
  transports.push(created);
  return created;
}

async function started(nodeId: string, extra: { blockMs?: number } = {}): Promise<{ node: RedisStreamsEventTransport; heard: TransportedEvent[] }> {
  const node = transport(nodeId, extra);
  const heard: TransportedEvent[] = [];
  await node.start((event) => heard.push(event));
  return { node, heard };
}

describe('RedisStreamsEventTransport', () => {
  it("delivers each node the other's events in publication order, never its own", async () => {
    const a = await started('node-a');
    const b = await started('node-b');
    const published: Array<{ origin: string; event: { type: string; jobId: string } }> = [];
    for (let i = 0; i < 40; i++) {
      const origin = i % 3 === 0 ? 'node-a' : 'node-b';
      const event = { type: 'JobQueued', jobId: `job-${i}` };
      published.push({ origin, event });
      await (origin === 'node-a' ? a.node : b.node).publish(event);
    }
    const fromA = published.filter((entry) => entry.origin === 'node-a');
    const fromB = published.filter((entry) => entry.origin === 'node-b');
    await waitFor(() => a.heard.length === fromB.length && b.heard.length === fromA.length);
    expect(a.heard).toEqual(fromB);
    expect(b.heard).toEqual(fromA);
  });

  it('interleaves concurrent publishers in the one order the stream holds, the same on every reader', async () => {
    const a = await started('node-a');
    const b = await started('node-b');
    const c = await started('node-c');
    await Promise.all([
      ...Array.from({ length: 20 }, (_, i) => a.node.publish({ type: 'DeviceAvailable', deviceId: `a-${i}` } as { type: string })),
      ...Array.from({ length: 20 }, (_, i) => b.node.publish({ type: 'DeviceAvailable', deviceId: `b-${i}` } as { type: string })),
    ]);
    await waitFor(() => c.heard.length === 40 && a.heard.length === 20 && b.heard.length === 20);
    const stream = await probe.xrange('sparsefleet:events', '-', '+');
    const order = stream.map(([, fields]) => JSON.parse(fields[fields.indexOf('event') + 1]!) as unknown);
    expect(c.heard.map((entry) => entry.event)).toEqual(order);
    // Each publisher's own events keep the order it published them in.
    expect(c.heard.filter((entry) => entry.origin === 'node-a').map((entry) => (entry.event as { deviceId?: string }).deviceId)).toEqual(
      Array.from({ length: 20 }, (_, i) => `a-${i}`),
    );
  });

  it('starts at the end of the stream: events from before start() are not replayed, events right after are heard', async () => {
    const earlier = transport('node-a');
    await earlier.publish({ type: 'JobQueued', jobId: 'before' } as { type: string });
    const b = await started('node-b');
    await earlier.publish({ type: 'JobQueued', jobId: 'after' } as { type: string });
    await waitFor(() => b.heard.length >= 1);
    expect(b.heard.map((entry) => (entry.event as { jobId?: string }).jobId)).toEqual(['after']);
  });

  it('trims the stream to about maxLen entries', async () => {
    const node = new RedisStreamsEventTransport({ url: redis.url, nodeId: 'node-a', maxLen: 50 });
    transports.push(node);
    for (let i = 0; i < 2_000; i++) await node.publish({ type: 'JobQueued', jobId: `j${i}` } as { type: string });
    const length = await probe.xlen('sparsefleet:events');
    // Approximate trimming removes whole stream nodes (100 entries by default), so it stays near maxLen, not at it.
    expect(length).toBeGreaterThanOrEqual(50);
    expect(length).toBeLessThan(500);
  });

  it('skips entries that are not events and keeps delivering, and survives a throwing listener', async () => {
    const node = transport('node-b');
    const heard: string[] = [];
    await node.start((entry) => {
      if ((entry.event as { jobId?: string }).jobId === 'explodes') throw new Error('listener failure');
      heard.push((entry.event as { jobId?: string }).jobId ?? '?');
    });
    await probe.xadd('sparsefleet:events', '*', 'origin', 'node-x', 'event', 'not json');
    await probe.xadd('sparsefleet:events', '*', 'something', 'else');
    await probe.xadd('sparsefleet:events', '*', 'origin', 'node-x', 'event', JSON.stringify({ type: 'JobQueued', jobId: 'explodes' }));
    await probe.xadd('sparsefleet:events', '*', 'origin', 'node-x', 'event', JSON.stringify({ type: 'JobQueued', jobId: 'fine' }));
    await waitFor(() => heard.length === 1);
    expect(heard).toEqual(['fine']);
  });

  it('stop() ends a blocking read that would last a minute and closes both connections', async () => {
    const a = await started('node-a', { blockMs: 60_000 });
    await a.node.publish({ type: 'JobQueued', jobId: 'x' } as { type: string });
    await waitFor(async () => (await redisClientNames(probe)).length === 2);
    // The test's own timeout (60 s, as long as the BLOCK) is what a stop() that waited the read out would hit.
    await a.node.stop();
    expect(await redisClientNames(probe)).toEqual([]);
    await expect(a.node.publish({ type: 'JobQueued', jobId: 'late' } as { type: string })).rejects.toThrow(/stopped/);
  }, 20_000);

  it('stop() returns while Redis has gone away and the reader is waiting to reconnect', async () => {
    const relay = await startTcpRelay(redis.port);
    const node = new RedisStreamsEventTransport({ url: `redis://127.0.0.1:${relay.port}`, nodeId: 'node-a' });
    transports.push(node);
    await node.start(() => undefined);
    await node.publish({ type: 'JobQueued', jobId: 'x' } as { type: string });
    await relay.cut();
    // Long enough for ioredis to notice and be between reconnection attempts (100 ms, 200 ms, 400 ms, …).
    await new Promise((resolve) => setTimeout(resolve, 500));
    await node.stop();
    await expect(node.publish({ type: 'JobQueued', jobId: 'late' } as { type: string })).rejects.toThrow(/stopped/);
  }, 20_000);

  it('names host:port when Redis is unreachable at start', async () => {
    const node = new RedisStreamsEventTransport({ url: 'redis://127.0.0.1:1', nodeId: 'node-a' });
    await expect(node.start(() => undefined)).rejects.toThrow(/cannot reach Redis at 127\.0\.0\.1:1 /);
    await node.stop();
  });
});
