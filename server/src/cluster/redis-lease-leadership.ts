// Leadership as a lease on one Redis key: SET NX PX takes it, a compare-and-pexpire script renews it every ttl/3,
// a compare-and-del script releases it on a clean stop. The value is this instance's own token, so a restarted node
// (or a second process misconfigured with the same node id) never mistakes an older claim for its own. When the
// holder dies its key expires and the next node to try takes it.
//
// A leader also keeps a local deadline: the time it sent its last successful claim plus the ttl. The key expires in
// Redis no earlier than that, so a leader that cannot renew (Redis unreachable, a slow reply) steps down before
// another node could have taken the lease.
import { randomUUID } from 'node:crypto';
import { performance } from 'node:perf_hooks';
import { Logger } from '@nestjs/common';
import type { Redis } from 'ioredis';
import type { Leadership } from './leadership.js';
import { closeRedis, connectRedis } from './redis-connection.js';

export interface RedisLeaseLeadershipOptions {
  readonly url: string;
  readonly nodeId: string;
  /** Default 'sparsefleet:leader'. */
  readonly key?: string;
  /** Lease length; a dead leader is replaced within about ttl + ttl/3. Default 10,000 ms. */
  readonly ttlMs?: number;
}

export const DEFAULT_LEADER_KEY = 'sparsefleet:leader';
export const DEFAULT_LEADER_TTL_MS = 10_000;

const RENEW_SCRIPT = `if redis.call('get', KEYS[1]) == ARGV[1] then return redis.call('pexpire', KEYS[1], ARGV[2]) else return 0 end`;
const RELEASE_SCRIPT = `if redis.call('get', KEYS[1]) == ARGV[1] then return redis.call('del', KEYS[1]) else return 0 end`;

export class RedisLeaseLeadership implements Leadership {
  private readonly logger = new Logger('Leadership');
  private readonly key: string;
  private readonly ttlMs: number;
  /** This instance's claim: the node id (readable in Redis) plus a part no other process has. */
  readonly token: string;
  private readonly listeners = new Set<(leader: boolean) => void>();
  private redis: Redis | undefined;
  private leader = false;
  private stopped = false;
  private ticker: NodeJS.Timeout | undefined;
  private deadline: NodeJS.Timeout | undefined;
  private claiming: Promise<void> | undefined;

  constructor(private readonly options: RedisLeaseLeadershipOptions) {
    this.key = options.key ?? DEFAULT_LEADER_KEY;
    this.ttlMs = options.ttlMs ?? DEFAULT_LEADER_TTL_MS;
    if (!(this.ttlMs >= 30)) throw new Error(`leader lease ttl must be at least 30 ms, got ${this.ttlMs}`);
    this.token = `${options.nodeId}/${randomUUID()}`;
  }

  isLeader(): boolean {
    return this.leader;
  }

  onChange(listener: (leader: boolean) => void): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  async start(): Promise<void> {
    if (this.redis || this.stopped) return;
    // Few retries: an unanswered claim is as good as a failed one (the deadline covers it), and stop() waits for it.
    const redis = await connectRedis(this.options.url, { purpose: 'leadership', maxRetriesPerRequest: 2 });
    if (this.stopped) {
      redis.disconnect();
      return;
    }
    this.redis = redis;
    await this.claimOnce();
    if (this.stopped) return;
    this.ticker = setInterval(() => void this.claimOnce(), Math.floor(this.ttlMs / 3));
  }

  async stop(): Promise<void> {
    if (this.stopped) return;
    this.stopped = true;
    clearInterval(this.ticker);
    const redis = this.redis;
    const reachable = redis?.status === 'ready';
    if (reachable) {
      await this.claiming;
    } else {
      // Cut off from Redis: nothing to release. A claim in flight is not waited for: ioredis never settles the
      // commands of a connection closed while waiting to reconnect, and claim() ignores its outcome once stopped.
      redis?.disconnect();
    }
    clearTimeout(this.deadline);
    if (redis && reachable) {
      try {
        // Whatever this instance believes, the key is deleted only if it still holds this token.
        await redis.eval(RELEASE_SCRIPT, 1, this.key, this.token);
      } catch (error) {
        this.logger.warn(`releasing ${this.key}: ${describe(error)}; it expires by itself within ${this.ttlMs} ms`);
      }
    }
    this.setLeader(false);
    if (redis) await closeRedis(redis);
  }

  /** One renewal (as leader) or acquisition attempt; a tick that finds the previous one still running skips. */
  private claimOnce(): Promise<void> {
    this.claiming ??= this.claim().finally(() => (this.claiming = undefined));
    return this.claiming;
  }

  private async claim(): Promise<void> {
    const redis = this.redis;
    if (!redis || this.stopped) return;
    const sentAt = performance.now();
    let held: boolean;
    try {
      held = this.leader
        ? (await redis.eval(RENEW_SCRIPT, 1, this.key, this.token, this.ttlMs)) === 1
        : (await redis.set(this.key, this.token, 'PX', this.ttlMs, 'NX')) === 'OK';
    } catch (error) {
      // Unknown outcome: a leader stays one until its deadline (the next ticks retry); a follower stays one.
      this.logger.warn(`${this.leader ? 'renewing' : 'claiming'} ${this.key}: ${describe(error)}`);
      return;
    }
    if (this.stopped) return;
    if (held) this.holdUntil(sentAt + this.ttlMs);
    else this.stepDown();
  }

  private holdUntil(until: number): void {
    clearTimeout(this.deadline);
    this.deadline = setTimeout(() => {
      this.logger.warn(`lease on ${this.key} not renewed in time: stepping down`);
      this.setLeader(false);
    }, Math.max(0, until - performance.now()));
    this.setLeader(true);
  }

  private stepDown(): void {
    clearTimeout(this.deadline);
    this.setLeader(false);
  }

  private setLeader(leader: boolean): void {
    if (this.leader === leader) return;
    this.leader = leader;
    this.logger.log(`node ${this.options.nodeId} ${leader ? 'is now the leader' : 'is no longer the leader'}`);
    for (const listener of [...this.listeners]) {
      try {
        listener(leader);
      } catch (error) {
        this.logger.error(`leadership listener: ${describe(error)}`);
      }
    }
  }
}

function describe(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}
