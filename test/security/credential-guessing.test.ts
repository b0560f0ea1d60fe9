// Finding 7: bad-credential handshakes from one address ran unthrottled (48/s, each a slow hash). Now failures back
// off per address and per device id, while devices that authenticated from the address before keep reconnecting.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ErrorCode } from '../../protocol/src/index.js';
import { connect, enrollAndConnect, rawApi, refusalOf, startTestCoordinator, type TestCoordinator } from '../server/support/coordinator-harness.js';

describe('failed credential handshakes', () => {
  let test: TestCoordinator;

  beforeAll(async () => {
    test = await startTestCoordinator();
  });

  afterAll(async () => {
    await test?.stop();
  });

  it('should refuse a guesser with RATE_LIMITED after a few failures and keep serving a healthy device from the same address', async () => {
    // Prepare: a healthy device that has connected from this address before.
    const healthy = await enrollAndConnect(test, 'healthy');
    healthy.socket.close();

    // Execute: 30 guesses at the healthy device's id, then 10 at made-up ids and tokens.
    const guesses = [];
    for (let i = 0; i < 30; i++) guesses.push((await refusalOf(test.coordinator.url, { deviceId: healthy.deviceId, credential: `guess-${i}` })).code);
    const reconnect = await connect(test.coordinator.url, { deviceId: healthy.deviceId, credential: healthy.credential });
    const otherId = await refusalOf(test.coordinator.url, { deviceId: 'made-up-id', credential: 'x' });
    const tokenGuess = await refusalOf(test.coordinator.url, { enrollmentToken: 'made-up-token' });
    const metrics = (await rawApi<string>(test.coordinator.url, 'GET', '/metrics')).body;

    // Assert
    expect(guesses.slice(0, 10)).toEqual(Array(10).fill(ErrorCode.ERROR_CODE_CREDENTIAL_INVALID));
    expect(guesses.slice(11)).toEqual(Array(19).fill(ErrorCode.ERROR_CODE_RATE_LIMITED));
    expect(reconnect.connected).toBe(true);
    expect(otherId.code).toBe(ErrorCode.ERROR_CODE_RATE_LIMITED);
    expect(tokenGuess.code).toBe(ErrorCode.ERROR_CODE_RATE_LIMITED);
    expect(metrics).toMatch(/sparsefleet_auth_attempts_blocked_total [1-9]/);
    reconnect.close();
  });
});
