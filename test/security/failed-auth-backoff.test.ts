// The backoff policy behind the handshake limits, on a controlled clock.
import { describe, expect, it } from 'vitest';
import { FailedAuthBackoff } from '../../server/src/security/failed-auth-backoff.js';

const POLICY = { freeFailures: 3, windowMs: 10_000, baseBlockMs: 1000, maxBlockMs: 8000, trustedPairMs: 60_000 };

describe(FailedAuthBackoff.name, () => {
  it('should block a key after its free failures, doubling each block up to the cap', () => {
    const sut = new FailedAuthBackoff(POLICY);
    const blocks: number[] = [];
    let now = 0;
    for (let round = 0; round < 6; round++) {
      for (let i = 0; i < 4; i++) sut.recordFailure('10.0.0.1', undefined, now);
      blocks.push(sut.retryAfterMs('10.0.0.1', undefined, now));
      now += blocks.at(-1)!;
    }
    expect(blocks).toEqual([1000, 2000, 4000, 8000, 8000, 8000]);
    expect(sut.retryAfterMs('10.0.0.2', undefined, 0)).toBe(0);
  });

  it('should count failures per device id across addresses and forget them after a quiet window', () => {
    const sut = new FailedAuthBackoff(POLICY);
    for (let i = 0; i < 4; i++) sut.recordFailure(`10.0.0.${i}`, 'device-1', 0);
    expect(sut.retryAfterMs('10.9.9.9', 'device-1', 0)).toBe(1000);
    expect(sut.retryAfterMs('10.9.9.9', 'device-2', 0)).toBe(0);
    for (let i = 0; i < 3; i++) sut.recordFailure('10.0.1.1', 'device-3', i * 6000);
    expect(sut.retryAfterMs('10.0.1.1', 'device-3', 12_000)).toBe(0);
  });

  it('should remember which device authenticated from which address, for a while', () => {
    const sut = new FailedAuthBackoff(POLICY);
    sut.recordSuccess('10.0.0.1', 'device-1', 0);
    expect(sut.isTrustedPair('10.0.0.1', 'device-1', 59_999)).toBe(true);
    expect(sut.isTrustedPair('10.0.0.2', 'device-1', 0)).toBe(false);
    expect(sut.isTrustedPair('10.0.0.1', 'device-1', 60_000)).toBe(false);
  });
});
