// Opens one ioredis connection for a coordinator part (event transport, leadership, socket.io adapter). At start an
// unreachable Redis is an error that names host:port; once connected, a lost connection is retried with backoff and
// logged once per outage, not once per attempt.
import { Logger } from '@nestjs/common';
import { Redis, type RedisOptions } from 'ioredis';

export interface RedisConnectionOptions {
  /** What the connection is for, in log lines and errors ("event reader", "leadership"). */
  readonly purpose: string;
  /**
   * Retries of a command while disconnected before it fails (ioredis's maxRetriesPerRequest); null = wait for the
   * reconnection, for a connection whose only command is a blocking read. Default 20.
   */
  readonly maxRetriesPerRequest?: number | null;
}

const FIRST_RETRY_MS = 100;
const MAX_RETRY_MS = 3_000;

/** Delay before reconnection attempt `attempt` (1, 2, …): doubling from 100 ms, capped at 3 s. */
export function reconnectDelayMs(attempt: number): number {
  return Math.min(FIRST_RETRY_MS * 2 ** Math.min(attempt - 1, 16), MAX_RETRY_MS);
}

export function redisClientOptions(options: RedisConnectionOptions): RedisOptions {
  return {
    lazyConnect: true,
    retryStrategy: reconnectDelayMs,
    maxRetriesPerRequest: options.maxRetriesPerRequest === undefined ? 20 : options.maxRetriesPerRequest,
  };
}

/** host:port (or the socket path) of a client, without credentials. */
export function redisAddress(client: Redis): string {
  const { host, port, path } = client.options;
  return path ? path : `${host}:${port}`;
}

/** Connects, or throws an error naming the address and the cause when Redis cannot be reached now. */
export async function connectRedis(url: string, options: RedisConnectionOptions): Promise<Redis> {
  const client = new Redis(url, redisClientOptions(options));
  const logger = new Logger('Redis');
  const address = redisAddress(client);
  let lastError: Error | undefined;
  let ready = false;
  let outage = false;
  client.on('error', (error: Error) => {
    lastError = error;
    if (ready && !outage) {
      outage = true;
      logger.warn(`${options.purpose}: lost Redis at ${address} (${error.message}); reconnecting`);
    }
  });
  client.on('ready', () => {
    if (outage) logger.log(`${options.purpose}: Redis at ${address} is back`);
    ready = true;
    outage = false;
  });
  try {
    await client.connect();
  } catch (error) {
    client.disconnect();
    const cause = lastError?.message ?? (error instanceof Error ? error.message : String(error));
    throw new Error(`${options.purpose}: cannot reach Redis at ${address} (${cause})`, { cause: lastError ?? error });
  }
  return client;
}

/** Closes a connection politely (pending replies first), or at once when Redis is not answering. */
export async function closeRedis(client: Redis): Promise<void> {
  if (client.status === 'end') return;
  if (client.status !== 'ready') {
    client.disconnect();
    return;
  }
  try {
    await client.quit();
  } catch {
    client.disconnect();
  }
}
