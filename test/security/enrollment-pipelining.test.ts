// Finding 5: EnrollRequests pipelined on one enrollment handshake enrolled several devices, and the per-address
// limit counted handshakes. Now one enrollment per enrollment connection, and the limit counts enrollments.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ErrorCode } from '../../protocol/src/index.js';
import { TEST_FACTS, api, connect, request, startTestCoordinator, type TestCoordinator } from '../server/support/coordinator-harness.js';
import { errorCodeOf } from '../server/support/job-messages.js';

describe('one enrollment per enrollment handshake', () => {
  let test: TestCoordinator;

  beforeAll(async () => {
    test = await startTestCoordinator({ enrollmentRateLimit: { limit: 3, windowMs: 60_000 } });
  });

  afterAll(async () => {
    await test?.stop();
  });

  it('should enroll one device from five pipelined EnrollRequests and use one use of the token', async () => {
    const { id, token } = await test.coordinator.createEnrollmentToken({ maxUses: 10 });
    const socket = await connect(test.coordinator.url, { enrollmentToken: token });

    const replies = await Promise.all(
      Array.from({ length: 5 }, (_, i) => request(socket, 'sparsefleet.v1.EnrollRequest', { facts: TEST_FACTS, displayName: `p-${i}` })),
    );
    const tokens = (await api<Array<{ id: string; uses: number }>>(test, 'GET', '/api/enrollment-tokens')).body;
    const devices = (await api<unknown[]>(test, 'GET', '/api/devices')).body;

    expect(replies.filter((reply) => reply.type === 'sparsefleet.v1.EnrollResponse')).toHaveLength(1);
    expect(replies.map(errorCodeOf).filter((code) => code !== undefined)).toEqual(Array(4).fill(ErrorCode.ERROR_CODE_FORBIDDEN));
    expect(tokens.find((t) => t.id === id)?.uses).toBe(1);
    expect(devices).toHaveLength(1);
    socket.close();
  });

  it('should count enrollments, not handshakes, against the per-address limit', async () => {
    // One enrollment was made by the test above; the limit is 3 per minute.
    const { token } = await test.coordinator.createEnrollmentToken({ maxUses: 10 });
    const outcomes: Array<string | ErrorCode | undefined> = [];
    for (let i = 0; i < 3; i++) {
      const socket = await connect(test.coordinator.url, { enrollmentToken: token });
      const reply = await request(socket, 'sparsefleet.v1.EnrollRequest', { facts: TEST_FACTS, displayName: `n-${i}` });
      outcomes.push(reply.type === 'sparsefleet.v1.EnrollResponse' ? 'enrolled' : errorCodeOf(reply));
      socket.close();
    }
    // Handshakes alone (no EnrollRequest) use up nothing.
    for (let i = 0; i < 5; i++) (await connect(test.coordinator.url, { enrollmentToken: token })).close();

    expect(outcomes).toEqual(['enrolled', 'enrolled', ErrorCode.ERROR_CODE_RATE_LIMITED]);
  });
});

describe('enrollment storms from one address', () => {
  let test: TestCoordinator;

  beforeAll(async () => {
    // A tiny frame budget: charged per enrollment connection, it must not add up across the devices of one address.
    test = await startTestCoordinator({ deviceFrameRateLimit: { limit: 3, windowMs: 60_000 } });
  });

  afterAll(async () => {
    await test?.stop();
  });

  it('should charge frames of enrollment connections per connection, not per address', async () => {
    const { token } = await test.coordinator.createEnrollmentToken({ maxUses: 20 });
    const outcomes: string[] = [];
    for (let i = 0; i < 10; i++) {
      const socket = await connect(test.coordinator.url, { enrollmentToken: token });
      const reply = await request(socket, 'sparsefleet.v1.EnrollRequest', { facts: TEST_FACTS, displayName: `storm-${i}` });
      outcomes.push(reply.type);
      socket.close();
    }
    // One connection over its own budget is still refused.
    const greedy = await connect(test.coordinator.url, { enrollmentToken: token });
    const replies = [];
    for (let i = 0; i < 5; i++) replies.push(await request(greedy, 'sparsefleet.v1.EnrollRequest', { facts: TEST_FACTS, displayName: 'g' }));
    greedy.close();

    expect(outcomes).toEqual(Array(10).fill('sparsefleet.v1.EnrollResponse'));
    expect(replies.map(errorCodeOf)).toContain(ErrorCode.ERROR_CODE_RATE_LIMITED);
  });
});
