// Leadership over a real redis-server: one of two contenders leads; a holder that stops renewing (a dead or cut-off
// node) loses the role and the other takes it once the lease has expired; a clean stop hands it over at once.
import { Redis } from 'ioredis';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { SoleLeadership } from '../../../server/src/cluster/leadership.js';
import { RedisLeaseLeadership } from '../../../server/src/cluster/redis-lease-leadership.js';
import { startRedisServer, type TestRedisServer } from '../../../testkit/redis-server.js';
import { redisClientNames, startTcpRelay, waitFor } from './support.js';

const KEY = 'sparsefleet:leader';
let redis: TestRedisServer;
let probe: Redis;
const contenders: RedisLeaseLeadership[] = [];

beforeAll(async () => {
  redis = await startRedisServer();
  probe = new Redis(redis.url);
});

afterEach(async () => {
  await Promise.all(contenders.splice(0).map((contender) => contender.stop()));
  await probe.flushall();
});

afterAll(async () => {
  probe.disconnect();
  await redis?.stop();
});

function contender(nodeId: string, ttlMs: number): { leadership: RedisLeaseLeadership; changes: boolean[] } {
  const leadership = new RedisLeaseLeadership({ url: redis.url, nodeId, ttlMs });
  contenders.push(leadership);
  const changes: boolean[] = [];
  leadership.onChange((leader) => changes.push(leader));
  return { leadership, changes };
}

describe('RedisLeaseLeadership', () => {
  it('makes exactly one of two contenders the leader, and the holder keeps the key by renewing it', async () => {
    const a = contender('node-a', 1_500);
    const b = contender('node-b', 1_500);
    await Promise.all([a.leadership.start(), b.leadership.start()]);
    expect([a.leadership.isLeader(), b.leadership.isLeader()].filter(Boolean)).toHaveLength(1);
    const holder = a.leadership.isLeader() ? a : b;
    expect(await probe.get(KEY)).toBe(holder.leadership.token);
    // Several ttls later the same holder still has the key, and neither side saw a change after the first claim.
    await new Promise((resolve) => setTimeout(resolve, 2_500));
    expect(await probe.get(KEY)).toBe(holder.leadership.token);
    expect(a.changes.length + b.changes.length).toBe(1);
  });

  it('moves to the other node only after the lease expired when the holder is cut off without releasing', async () => {
    const relay = await startTcpRelay(redis.port);
    const timeline: string[] = [];
    const a = new RedisLeaseLeadership({ url: `redis://127.0.0.1:${relay.port}`, nodeId: 'node-a', ttlMs: 1_500 });
    contenders.push(a);
    a.onChange((leader) => timeline.push(`a:${leader}`));
    await a.start();
    const b = contender('node-b', 1_500);
    b.leadership.onChange((leader) => timeline.push(`b:${leader}`));
    await b.leadership.start();
    expect(timeline).toEqual(['a:true']);

    await relay.cut();
    await waitFor(() => b.leadership.isLeader(), 15_000, 'node-b leading');
    expect(await probe.get(KEY)).toBe(b.leadership.token);
    // node-a stepped down on its own deadline, before its key could expire and node-b could take it.
    expect(timeline).toEqual(['a:true', 'a:false', 'b:true']);
    expect(a.isLeader()).toBe(false);
    // Stopping a node that is still trying to reconnect returns (within the test's timeout) and takes nothing.
    await a.stop();
    expect(await probe.get(KEY)).toBe(b.leadership.token);
  });

  it('hands over at once on a clean stop: the key is deleted, not left to expire', async () => {
    // node-a's lease is a minute long: node-b (trying every 200 ms) leads within the wait only if stop() released it.
    const a = contender('node-a', 60_000);
    await a.leadership.start();
    const b = contender('node-b', 600);
    await b.leadership.start();
    expect(b.leadership.isLeader()).toBe(false);
    await a.leadership.stop();
    expect(a.changes).toEqual([true, false]);
    expect(await probe.get(KEY)).not.toBe(a.leadership.token);
    await waitFor(() => b.leadership.isLeader(), 10_000, 'node-b leading');
    expect(await probe.get(KEY)).toBe(b.leadership.token);
  });

  it('steps down as soon as a renewal finds the key held by someone else', async () => {
    const a = contender('node-a', 600);
    await a.leadership.start();
    expect(a.leadership.isLeader()).toBe(true);
    await probe.set(KEY, 'an-intruder', 'PX', 60_000);
    await waitFor(() => !a.leadership.isLeader(), 10_000, 'node-a stepping down');
    expect(a.changes).toEqual([true, false]);
    // Its stop() must not delete a key it no longer holds.
    await a.leadership.stop();
    expect(await probe.get(KEY)).toBe('an-intruder');
  });

  it('closes its connection on stop and names host:port when Redis is unreachable', async () => {
    const a = contender('node-a', 600);
    await a.leadership.start();
    expect(await redisClientNames(probe)).toHaveLength(1);
    await a.leadership.stop();
    expect(await redisClientNames(probe)).toEqual([]);
    const unreachable = new RedisLeaseLeadership({ url: 'redis://127.0.0.1:1', nodeId: 'node-x' });
    await expect(unreachable.start()).rejects.toThrow(/cannot reach Redis at 127\.0\.0\.1:1 /);
  });
});

describe('SoleLeadership', () => {
  it('is the leader before and after start, and never reports a change', async () => {
    const sole = new SoleLeadership();
    const changes: boolean[] = [];
    sole.onChange((leader) => changes.push(leader));
    expect(sole.isLeader()).toBe(true);
    await sole.start();
    await sole.stop();
    expect(sole.isLeader()).toBe(true);
    expect(changes).toEqual([]);
  });
});
