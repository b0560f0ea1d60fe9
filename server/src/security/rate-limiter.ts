// A sliding-window counter per key (a remote address): at most `limit` hits in any `windowMs`. Used for the
// enrollment handshakes, which happen in socket.io middleware where the REST throttler does not run.
import type { RateLimit } from '../config/coordinator-config.js';

export class SlidingWindowRateLimiter {
  private readonly hits = new Map<string, number[]>();

  constructor(private readonly limit: RateLimit) {}

  /** Records a hit for `key`; false when the key already used up its window (the hit is then not counted). */
  tryHit(key: string, now = Date.now()): boolean {
    const since = now - this.limit.windowMs;
    const recent = (this.hits.get(key) ?? []).filter((at) => at > since);
    if (recent.length >= this.limit.limit) {
      this.hits.set(key, recent);
      return false;
    }
    recent.push(now);
    this.hits.set(key, recent);
    if (this.hits.size > 10_000) this.prune(since);
    return true;
  }

  /** Milliseconds until `key` may try again (0 when it may now). */
  retryAfterMs(key: string, now = Date.now()): number {
    const recent = (this.hits.get(key) ?? []).filter((at) => at > now - this.limit.windowMs);
    if (recent.length < this.limit.limit) return 0;
    return recent[0] + this.limit.windowMs - now;
  }

  private prune(since: number): void {
    for (const [key, times] of this.hits) {
      if (times.every((at) => at <= since)) this.hits.delete(key);
    }
  }
}
