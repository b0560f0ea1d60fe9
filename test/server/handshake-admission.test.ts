// Device handshakes beyond the sessions a node sets up at once are refused at once, RATE_LIMITED with a retry delay.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ErrorCode } from '../../protocol/src/index.js';
import { HandshakeAdmission, isRefusal, type AdmissionRelease } from '../../server/src/gateway/handshake-admission.js';
import { connect, enrollAndConnect, heartbeat, refusalOf, startTestCoordinator, type TestCoordinator } from './support/coordinator-harness.js';

describe(HandshakeAdmission.name, () => {
  it('should admit up to the limit, refuse beyond it and admit again once a session is released', () => {
    const admission = new HandshakeAdmission({ limit: 2, now: () => 0, random: () => 0.5 });
    const first = admission.enter();
    const second = admission.enter();
    const third = admission.enter();
    expect(isRefusal(first) || isRefusal(second)).toBe(false);
    expect(isRefusal(third) && third.inFlight).toBe(2);
    (first as AdmissionRelease)();
    (first as AdmissionRelease)(); // idempotent
    expect(admission.pending).toBe(1);
    const fourth = admission.enter();
    expect(isRefusal(fourth)).toBe(false);
    for (const release of [second, fourth]) (release as AdmissionRelease)();
    expect(admission.pending).toBe(0);
  });

  it('should spread the refused over the time it takes to serve them at the measured pace', () => {
    let now = 0;
    let draw = 0.5;
    const admission = new HandshakeAdmission({ limit: 10, now: () => now, random: () => draw, minRetryMs: 100, maxRetryMs: 60_000 });
    const held = Array.from({ length: 10 }, () => admission.enter() as AdmissionRelease);
    // A busy second: 10 sessions set up (released), 90 refused.
    now = 10;
    for (let i = 0; i < 90; i += 1) admission.enter();
    for (const release of held) release();
    for (let i = 0; i < 10; i += 1) admission.enter();
    now = 1010;
    draw = 0;
    const soonest = admission.enter(); // the minimum
    draw = 1;
    const latest = admission.enter(); // the whole span
    expect(isRefusal(soonest) && soonest.retryAfterMs).toBe(100);
    // Backlog: 10 in flight + 90 refused in the last second, served at 10 per second: about 10 s.
    expect(isRefusal(latest) && latest.retryAfterMs).toBeGreaterThan(9_000);
    expect(isRefusal(latest) && latest.retryAfterMs).toBeLessThanOrEqual(60_000);
  });

  it('should release a session that never speaks after its hold time', async () => {
    const admission = new HandshakeAdmission({ limit: 1, holdMs: 20 });
    expect(isRefusal(admission.enter())).toBe(false);
    expect(isRefusal(admission.enter())).toBe(true);
    await new Promise((resolve) => setTimeout(resolve, 60));
    expect(admission.pending).toBe(0);
  });
});

describe('device handshakes over the admission limit', () => {
  let test: TestCoordinator;

  beforeAll(async () => {
    test = await startTestCoordinator({ handshakeConcurrency: 1 });
  });

  afterAll(async () => {
    await test?.stop();
  });

  it('should refuse a second device while the first one is being set up, with a delay, and admit it after', async () => {
    // Prepare: a device authenticated and not yet heard from holds the only place.
    const first = await enrollAndConnect(test, 'first');
    const second = await enrollAndConnect(test, 'second').catch((error: unknown) => error);
    // Act: the second's handshake is refused while the first is in setup
    const refusal = await refusalOf(test.coordinator.url, { deviceId: first.deviceId, credential: first.credential });
    // Assert
    expect(refusal.code).toBe(ErrorCode.ERROR_CODE_RATE_LIMITED);
    expect(refusal.retryAfterMs).toBeGreaterThanOrEqual(250);
    expect(refusal.message).toMatch(/busy/);
    expect(second).toMatchObject({ code: ErrorCode.ERROR_CODE_RATE_LIMITED });
    // The first device's first frame ends its setup: the next handshake gets in.
    await heartbeat(first.socket);
    const again = await connect(test.coordinator.url, { deviceId: first.deviceId, credential: first.credential });
    again.close();
    first.socket.close();
  });

  it('should not count enrollment connections against the limit', async () => {
    const holder = await enrollAndConnect(test, 'holder');
    const { token } = await test.coordinator.createEnrollmentToken();
    const enrolling = await connect(test.coordinator.url, { enrollmentToken: token });
    enrolling.close();
    holder.socket.close();
  });
});
