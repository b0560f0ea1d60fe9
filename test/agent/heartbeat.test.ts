import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { HeartbeatLoop } from '../../client/src/agent/heartbeat.js';
import type { HeartbeatAck } from '../../protocol/src/index.js';

describe(HeartbeatLoop.name, () => {
  beforeEach(() => vi.useFakeTimers());
  afterEach(() => vi.useRealTimers());

  it('should keep one loop when restarted while a beat still awaits its ack', async () => {
    // Prepare: the first beat's ack is held back until after the restart
    let release: ((ack: HeartbeatAck) => void) | undefined;
    let sent = 0;
    const ack = { serverTimeMs: 0, heartbeatIntervalMs: 0 };
    const sut = new HeartbeatLoop({
      send: () => {
        sent += 1;
        return sent === 1 ? new Promise<HeartbeatAck>((resolve) => (release = resolve)) : Promise.resolve(ack);
      },
      runningJobIds: () => [],
      minIntervalMs: 10,
    });

    // Execute
    sut.start(100);
    await vi.advanceTimersByTimeAsync(100);
    sut.start(100);
    release?.(ack);
    await vi.advanceTimersByTimeAsync(1000);
    sut.stop();
    const afterStop = sent;
    await vi.advanceTimersByTimeAsync(1000);

    // Assert: 1 held beat + 10 beats of the one live loop, none after stop
    expect(afterStop).toBe(11);
    expect(sent).toBe(afterStop);
  });
});
