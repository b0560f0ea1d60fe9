// Domain events between coordinator nodes over one Redis stream. Each node appends its events (XADD, trimmed to
// about maxLen entries) and reads everyone's from a blocking connection of its own, from the last entry it saw: one
// stream means one order, the same on every node. A reader that falls more than maxLen entries behind loses the
// oldest of them to trimming.
import { Logger } from '@nestjs/common';
import type { Redis } from 'ioredis';
import type { EventTransport, TransportedEvent } from '../events/event-transport.js';
import { closeRedis, connectRedis } from './redis-connection.js';

export interface RedisStreamsEventTransportOptions {
  readonly url: string;
  /** Written as each entry's origin; entries of this origin are not delivered back. */
  readonly nodeId: string;
  /** Default 'sparsefleet:events'. */
  readonly stream?: string;
  /** Approximate length the stream is trimmed to (XADD MAXLEN ~). Default 100,000. */
  readonly maxLen?: number;
  /** How long one XREAD blocks waiting for entries. Default 5,000 ms; stop() does not wait for it. */
  readonly blockMs?: number;
  /** Entries fetched per XREAD. Default 100. */
  readonly readCount?: number;
}

export const DEFAULT_EVENT_STREAM = 'sparsefleet:events';
/** Pause after a failed XREAD that was not a lost connection (ioredis waits out those by itself). */
const READ_ERROR_PAUSE_MS = 1_000;

type StreamEntry = [id: string, fields: string[]];
type XReadReply = Array<[stream: string, entries: StreamEntry[]]> | null;

export class RedisStreamsEventTransport implements EventTransport {
  private readonly logger = new Logger('EventTransport');
  private readonly stream: string;
  private readonly maxLen: number;
  private readonly blockMs: number;
  private readonly readCount: number;
  private publisher: Promise<Redis> | undefined;
  private reader: Redis | undefined;
  private reading: Promise<void> | undefined;
  private started = false;
  private stopped = false;
  private wakeReader: (() => void) | undefined;

  constructor(private readonly options: RedisStreamsEventTransportOptions) {
    this.stream = options.stream ?? DEFAULT_EVENT_STREAM;
    this.maxLen = options.maxLen ?? 100_000;
    this.blockMs = options.blockMs ?? 5_000;
    this.readCount = options.readCount ?? 100;
  }

  async publish(event: { readonly type: string }): Promise<void> {
    if (this.stopped) throw new Error(`event transport stopped: ${event.type} not published`);
    const redis = await this.publisherConnection();
    await redis.xadd(this.stream, 'MAXLEN', '~', this.maxLen, '*', 'origin', this.options.nodeId, 'event', JSON.stringify(event));
  }

  /** Resolves once the reader is in place: every event published after that is delivered. */
  async start(deliver: (event: TransportedEvent) => void): Promise<void> {
    if (this.stopped) throw new Error('event transport stopped: it cannot start again');
    if (this.started) throw new Error('event transport already started');
    this.started = true;
    const reader = await connectRedis(this.options.url, { purpose: 'event reader', maxRetriesPerRequest: null });
    this.reader = reader;
    try {
      // The stream's end now, rather than '$' in the first XREAD: an event published between start() resolving
      // and that XREAD reaching Redis would be missed.
      const newest = (await reader.xrevrange(this.stream, '+', '-', 'COUNT', 1)) as StreamEntry[];
      if (!this.stopped) this.reading = this.readFrom(reader, newest[0]?.[0] ?? '0-0', deliver);
    } catch (error) {
      if (!this.stopped) throw error;
    } finally {
      // stop() ran while this was connecting: it found no reader to close.
      if (this.stopped) reader.disconnect();
    }
  }

  /** Prompt: the blocking read is cut off by closing its connection, not waited out. Safe to call more than once. */
  async stop(): Promise<void> {
    this.stopped = true;
    this.wakeReader?.();
    const reader = this.reader;
    if (reader) {
      // Closing a live socket fails the pending XREAD and the loop ends. A connection waiting to reconnect has no
      // socket, and ioredis then never settles that XREAD: the loop is left pending (it holds no handle).
      const settles = reader.status !== 'reconnecting';
      reader.disconnect();
      if (settles) await this.reading;
    }
    const publisher = this.publisher;
    if (publisher) await publisher.then(closeRedis, () => undefined);
  }

  private publisherConnection(): Promise<Redis> {
    if (!this.publisher) {
      this.publisher = connectRedis(this.options.url, { purpose: 'event publisher' });
      // A failed connect is not kept: the next publish tries again.
      this.publisher.catch(() => (this.publisher = undefined));
    }
    return this.publisher;
  }

  private async readFrom(reader: Redis, after: string, deliver: (event: TransportedEvent) => void): Promise<void> {
    let lastId = after;
    while (!this.stopped) {
      let reply: XReadReply;
      try {
        reply = (await reader.xread('COUNT', this.readCount, 'BLOCK', this.blockMs, 'STREAMS', this.stream, lastId)) as XReadReply;
      } catch (error) {
        if (this.stopped) return;
        this.logger.warn(`reading ${this.stream}: ${error instanceof Error ? error.message : String(error)}`);
        await this.pause(READ_ERROR_PAUSE_MS);
        continue;
      }
      for (const [, entries] of reply ?? []) {
        for (const [id, fields] of entries) {
          lastId = id;
          if (this.stopped) return;
          this.deliverEntry(id, fields, deliver);
        }
      }
    }
  }

  private deliverEntry(id: string, fields: string[], deliver: (event: TransportedEvent) => void): void {
    const origin = fieldOf(fields, 'origin');
    if (origin === this.options.nodeId) return;
    const event = parseEvent(fieldOf(fields, 'event'));
    if (origin === undefined || event === undefined) {
      this.logger.warn(`${this.stream} entry ${id} is not an event (origin and JSON event with a type expected): skipped`);
      return;
    }
    try {
      deliver({ origin, event });
    } catch (error) {
      this.logger.error(`delivering ${event.type} from ${origin}: ${error instanceof Error ? error.stack : String(error)}`);
    }
  }

  private pause(ms: number): Promise<void> {
    return new Promise((resolve) => {
      const timer = setTimeout(done, ms);
      function done(): void {
        clearTimeout(timer);
        resolve();
      }
      this.wakeReader = done;
    });
  }
}

/** A stream entry's fields come as [name, value, name, value, …]. */
function fieldOf(fields: readonly string[], name: string): string | undefined {
  for (let i = 0; i + 1 < fields.length; i += 2) if (fields[i] === name) return fields[i + 1];
  return undefined;
}

function parseEvent(json: string | undefined): { readonly type: string } | undefined {
  if (json === undefined) return undefined;
  try {
    const value: unknown = JSON.parse(json);
    if (typeof value === 'object' && value !== null && typeof (value as { type?: unknown }).type === 'string') {
      return value as { readonly type: string };
    }
  } catch {
    // Not JSON: reported by the caller like any other malformed entry.
  }
  return undefined;
}
