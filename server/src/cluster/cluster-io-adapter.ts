// The device channel's socket.io server when several coordinator nodes share Redis: broadcasts to a room,
// fetchSockets() and disconnectSockets() reach the sockets every node holds, so a message for a device reaches the
// node that holds its connection.
//
// Why @socket.io/redis-streams-adapter rather than @socket.io/redis-adapter (pub/sub): broadcasts go through a
// Redis stream that each node reads from the last entry it saw, so a node whose Redis connection blips catches up on
// what it missed instead of losing it (pub/sub delivers only to whoever is subscribed at that instant), and it is the
// adapter that supports socket.io's connection-state recovery across nodes (sessions are kept in Redis). Request/
// response traffic (fetchSockets, serverSideEmit) still uses pub/sub, where losing a message only times a request
// out.
import type { INestApplicationContext } from '@nestjs/common';
import { IoAdapter } from '@nestjs/platform-socket.io';
import { createAdapter } from '@socket.io/redis-streams-adapter';
import type { Redis, RedisOptions } from 'ioredis';
import type { Server, ServerOptions } from 'socket.io';
import { closeRedis, connectRedis } from './redis-connection.js';

export interface ClusterIoAdapterOptions {
  readonly url: string;
  /** Prefix of the adapter's stream, channels and session keys. Default 'sparsefleet:socket.io'. */
  readonly keyPrefix?: string;
  /** How long the adapter's XREAD blocks. Default 5,000 ms (shutdown cuts it off). */
  readonly blockTimeInMs?: number;
}

export const DEFAULT_SOCKET_IO_KEY_PREFIX = 'sparsefleet:socket.io';

export class ClusterIoAdapter extends IoAdapter {
  /** The connections the Redis adapter made from ours (its stream reader and its subscriber). */
  private readonly duplicates = new Set<Redis>();

  private constructor(
    appOrHttpServer: INestApplicationContext | object,
    private readonly redis: Redis,
    private readonly options: ClusterIoAdapterOptions,
  ) {
    super(appOrHttpServer);
    recordDuplicates(redis, this.duplicates);
  }

  /** Connects to Redis first, so that an unreachable Redis fails the start with its address. */
  static async connect(appOrHttpServer: INestApplicationContext | object, options: ClusterIoAdapterOptions): Promise<ClusterIoAdapter> {
    const redis = await connectRedis(options.url, { purpose: 'socket.io adapter' });
    return new ClusterIoAdapter(appOrHttpServer, redis, options);
  }

  // The caller's options (FairWebSocketServer engine, buffer size) pass through; only the adapter is added.
  override createIOServer(port: number, options?: ServerOptions): Server {
    const prefix = this.options.keyPrefix ?? DEFAULT_SOCKET_IO_KEY_PREFIX;
    const adapter = createAdapter(this.redis, {
      streamName: prefix,
      channelPrefix: prefix,
      sessionKeyPrefix: `${prefix}:session:`,
      blockTimeInMs: this.options.blockTimeInMs ?? 5_000,
    });
    return super.createIOServer(port, { ...options, adapter } as ServerOptions);
  }

  /**
   * Runs after every server was closed (which aborts the adapter's reading loop). The adapter would close its stream
   * reader only when its current XREAD returns; closing the connection now ends that XREAD at once (the adapter
   * catches the error and, being aborted, stops).
   */
  override async dispose(): Promise<void> {
    await super.dispose();
    for (const duplicate of this.duplicates) duplicate.disconnect();
    this.duplicates.clear();
    await closeRedis(this.redis);
  }
}

/**
 * The adapter duplicates the client it is given for its reader and its subscriber. The copies connect eagerly (the
 * adapter then never waits on a connect that shutdown could reject) and are recorded, so that dispose() closes them.
 */
function recordDuplicates(client: Redis, into: Set<Redis>): void {
  // Our client is connected already; its copies inherit its options, and the adapter connects them itself (and
  // leaves that promise unhandled) only when they say lazyConnect.
  client.options.lazyConnect = false;
  const duplicate = client.duplicate.bind(client);
  client.duplicate = (override?: Partial<RedisOptions>): Redis => {
    const copy = duplicate(override);
    into.add(copy);
    copy.once('end', () => into.delete(copy));
    return copy;
  };
}
