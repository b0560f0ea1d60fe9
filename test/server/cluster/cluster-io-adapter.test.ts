// The device channel across two socket.io servers sharing one real redis-server through ClusterIoAdapter (each
// server built the way the gateway builds it, with the FairWebSocketServer engine): a room emit reaches a socket held
// by the other server, binary payloads arrive byte for byte, fetchSockets() and disconnectSockets() span servers, and
// closing leaves no Redis connection behind without waiting out a blocking read.
import { createServer, type Server as HttpServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { Redis } from 'ioredis';
import type { Server, Socket as ServerSocket } from 'socket.io';
import { io as connectClient, type Socket as ClientSocket } from 'socket.io-client';
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { ClusterIoAdapter } from '../../../server/src/cluster/cluster-io-adapter.js';
import { FairWebSocketServer } from '../../../server/src/gateway/fair-ws-engine.js';
import { startRedisServer, type TestRedisServer } from '../../../testkit/redis-server.js';
import { redisClientNames, waitFor } from './support.js';

interface Node {
  readonly adapter: ClusterIoAdapter;
  readonly io: Server;
  readonly url: string;
  closed: boolean;
}

let redis: TestRedisServer;
let probe: Redis;
let nodeA: Node;
let nodeB: Node;
const clients: ClientSocket[] = [];

beforeAll(async () => {
  redis = await startRedisServer();
  probe = new Redis(redis.url);
});

afterAll(async () => {
  probe.disconnect();
  await redis?.stop();
});

async function startNode(): Promise<Node> {
  const http: HttpServer = createServer();
  const adapter = await ClusterIoAdapter.connect(http, { url: redis.url, blockTimeInMs: 60_000 });
  const io = adapter.create(0, { wsEngine: FairWebSocketServer, maxHttpBufferSize: 4 * 1024 * 1024 } as never) as Server;
  // The gateway's way of addressing a device: its connection joins the device's room.
  io.on('connection', (socket: ServerSocket) => void socket.join(String(socket.handshake.auth.room)));
  await new Promise<void>((resolve) => http.listen(0, '127.0.0.1', resolve));
  return { adapter, io, url: `http://127.0.0.1:${(http.address() as AddressInfo).port}`, closed: false };
}

/** As Nest closes it at shutdown: every server, then the adapter. */
async function closeNode(node: Node): Promise<void> {
  if (node.closed) return;
  node.closed = true;
  await node.adapter.close(node.io);
  await node.adapter.dispose();
}

async function connectTo(node: Node, room: string): Promise<ClientSocket> {
  const client = connectClient(node.url, { transports: ['websocket'], auth: { room }, reconnection: false });
  clients.push(client);
  await new Promise<void>((resolve, reject) => {
    client.once('connect', () => resolve());
    client.once('connect_error', reject);
  });
  return client;
}

beforeEach(async () => {
  nodeA = await startNode();
  nodeB = await startNode();
  // Both adapters are reading the stream (a blocked XREAD each) before anything is broadcast.
  await waitFor(async () => (await redisClientNames(probe)).filter((line) => line.includes('cmd=xread')).length === 2);
});

afterEach(async () => {
  for (const client of clients.splice(0)) client.disconnect();
  await Promise.all([closeNode(nodeA), closeNode(nodeB)]);
  await probe.flushall();
});

describe('ClusterIoAdapter', () => {
  it("delivers a room emit from one server to a socket held by the other, binary payloads byte for byte", async () => {
    const device = await connectTo(nodeB, 'device:42');
    const bystander = await connectTo(nodeB, 'device:7');
    const received: unknown[] = [];
    const strayed: unknown[] = [];
    device.on('sf', (payload: unknown) => received.push(payload));
    bystander.on('sf', (payload: unknown) => strayed.push(payload));

    const everyByte = Uint8Array.from({ length: 256 }, (_, i) => i);
    const large = new Uint8Array(300_000).map((_, i) => (i * 31) % 251);
    nodeA.io.to('device:42').emit('sf', Buffer.from(everyByte));
    nodeA.io.to('device:42').emit('sf', Buffer.from(large));
    nodeA.io.to('device:42').emit('sf', { text: 'plain' });
    await waitFor(() => received.length === 3);

    expect(Buffer.isBuffer(received[0])).toBe(true);
    expect(new Uint8Array(received[0] as Buffer)).toEqual(everyByte);
    expect(new Uint8Array(received[1] as Buffer)).toEqual(large);
    expect(received[2]).toEqual({ text: 'plain' });
    expect(strayed).toEqual([]);
  });

  it('finds the sockets of a room held by the other server with fetchSockets()', async () => {
    const onB = await connectTo(nodeB, 'device:42');
    const onA = await connectTo(nodeA, 'device:42');
    await connectTo(nodeB, 'device:7');
    const found = await nodeA.io.in('device:42').fetchSockets();
    expect(found.map((socket) => socket.id).sort()).toEqual([onA.id, onB.id].sort());
  });

  it('disconnects a socket held by the other server with disconnectSockets()', async () => {
    const device = await connectTo(nodeB, 'device:42');
    const bystander = await connectTo(nodeB, 'device:7');
    const reason = new Promise<string>((resolve) => device.once('disconnect', (why) => resolve(why)));
    nodeA.io.in('device:42').disconnectSockets(true);
    expect(await reason).toBe('io server disconnect');
    expect(bystander.connected).toBe(true);
    await waitFor(async () => (await nodeB.io.in('device:42').fetchSockets()).length === 0);
  });

  it('closes every Redis connection at shutdown without waiting out the adapter’s minute-long XREAD', async () => {
    await connectTo(nodeA, 'device:1');
    // Each node: our connection plus the adapter's reader and subscriber.
    expect((await redisClientNames(probe)).length).toBe(6);
    await Promise.all([closeNode(nodeA), closeNode(nodeB)]);
    expect(await redisClientNames(probe)).toEqual([]);
  }, 20_000);
});

describe('ClusterIoAdapter.connect', () => {
  it('names host:port when Redis is unreachable', async () => {
    await expect(ClusterIoAdapter.connect(createServer(), { url: 'redis://127.0.0.1:1' })).rejects.toThrow(/cannot reach Redis at 127\.0\.0\.1:1 /);
  });
});
