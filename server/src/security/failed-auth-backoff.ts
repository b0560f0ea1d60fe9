// Backoff for failed device authentication (wrong credentials, unknown enrollment tokens, wrong re-enrollment
// proofs), per remote address and per device id. A few failures are free; past them the key is blocked for a time
// that doubles with every further block (capped). Blocked attempts are refused before any secret is checked,
// except for a device id that has authenticated from that address before: its attempts are still checked (a
// credential check is an HMAC, microseconds), so a guesser next to it (same NAT, or guessing its id from elsewhere)
// does not lock it out, while the guesser's wrong credentials are still answered as blocked.
export interface BackoffPolicy {
  /** Failures per key allowed within `windowMs` before the first block. */
  readonly freeFailures: number;
  readonly windowMs: number;
  /** The first block; each later one doubles, up to `maxBlockMs`. */
  readonly baseBlockMs: number;
  readonly maxBlockMs: number;
  /** How long a successful (device, address) pair stays exempt. */
  readonly trustedPairMs: number;
}

export const DEFAULT_BACKOFF_POLICY: BackoffPolicy = {
  freeFailures: 10,
  windowMs: 60_000,
  baseBlockMs: 1_000,
  maxBlockMs: 15 * 60_000,
  trustedPairMs: 24 * 3600_000,
};

interface KeyState {
  failures: number;
  windowStart: number;
  blockedUntil: number;
  strikes: number;
  lastFailure: number;
}

/** Beyond this many tracked keys, expired ones are dropped (bounded memory under a spray of addresses). */
const MAX_TRACKED_KEYS = 50_000;

export class FailedAuthBackoff {
  private readonly keys = new Map<string, KeyState>();
  private readonly trustedPairs = new Map<string, number>();

  constructor(private readonly policy: BackoffPolicy = DEFAULT_BACKOFF_POLICY) {}

  /** Milliseconds the address (and the claimed device id, if any) is blocked for; 0 when it is not. */
  retryAfterMs(address: string, deviceId: string | undefined, now = Date.now()): number {
    const byAddress = this.blockedFor(`address:${address}`, now);
    const byDevice = deviceId === undefined ? 0 : this.blockedFor(`device:${deviceId}`, now);
    return Math.max(byAddress, byDevice);
  }

  recordFailure(address: string, deviceId: string | undefined, now = Date.now()): void {
    this.fail(`address:${address}`, now);
    if (deviceId !== undefined && deviceId !== '') this.fail(`device:${deviceId}`, now);
    if (this.keys.size > MAX_TRACKED_KEYS) this.prune(now);
  }

  recordSuccess(address: string, deviceId: string, now = Date.now()): void {
    this.trustedPairs.delete(pairKey(address, deviceId));
    this.trustedPairs.set(pairKey(address, deviceId), now + this.policy.trustedPairMs);
    if (this.trustedPairs.size > MAX_TRACKED_KEYS) {
      // Oldest first (insertion order, refreshed above): drop the oldest quarter.
      let drop = Math.floor(this.trustedPairs.size / 4);
      for (const key of this.trustedPairs.keys()) {
        if (drop-- <= 0) break;
        this.trustedPairs.delete(key);
      }
    }
  }

  /** Whether this device id authenticated from this address recently (its attempts are checked even when blocked). */
  isTrustedPair(address: string, deviceId: string, now = Date.now()): boolean {
    return (this.trustedPairs.get(pairKey(address, deviceId)) ?? 0) > now;
  }

  private blockedFor(key: string, now: number): number {
    const state = this.keys.get(key);
    return state && state.blockedUntil > now ? state.blockedUntil - now : 0;
  }

  private fail(key: string, now: number): void {
    const state = this.keys.get(key) ?? { failures: 0, windowStart: now, blockedUntil: 0, strikes: 0, lastFailure: now };
    // A key that stayed quiet for the longest block forgets its strikes.
    if (now - state.lastFailure > this.policy.maxBlockMs) state.strikes = 0;
    if (now - state.windowStart > this.policy.windowMs) {
      state.windowStart = now;
      state.failures = 0;
    }
    state.failures += 1;
    state.lastFailure = now;
    if (state.failures > this.policy.freeFailures) {
      state.strikes += 1;
      const block = Math.min(this.policy.maxBlockMs, this.policy.baseBlockMs * 2 ** (state.strikes - 1));
      state.blockedUntil = now + block;
      state.failures = 0;
      state.windowStart = now;
    }
    this.keys.set(key, state);
  }

  private prune(now: number): void {
    for (const [key, state] of this.keys) {
      if (state.blockedUntil <= now && now - state.lastFailure > this.policy.windowMs) this.keys.delete(key);
    }
  }
}

function pairKey(address: string, deviceId: string): string {
  return `${deviceId}@${address}`;
}
