import { afterEach, describe, expect, it, vi } from 'vitest';
import { Pacer } from '../../../client/src/sim/profiles/index.js';

afterEach(() => {
  vi.restoreAllMocks();
});

/** The delays the pacer asked setTimeout for. */
function recordSleeps(): number[] {
  const sleeps: number[] = [];
  const original = globalThis.setTimeout;
  vi.spyOn(globalThis, 'setTimeout').mockImplementation(((callback: () => void, ms?: number) => {
    sleeps.push(ms ?? 0);
    return original(callback, 0);
  }) as typeof setTimeout);
  return sleeps;
}

describe('Pacer', () => {
  it('sleeps only once a slice ahead of its schedule, for the whole lead', async () => {
    const sleeps = recordSleeps();
    const wall = 1000; // a clock that stands still: the schedule alone decides
    const pacer = new Pacer(1000, 25, () => wall);
    await pacer.advance(10_000); // 10 ms of wall time owed: under a slice
    expect(sleeps).toEqual([]);
    await pacer.advance(20_000); // 30 ms owed
    expect(sleeps).toEqual([30]);
    expect(pacer.elapsedModelledMs).toBe(30_000);
  });

  it('a run behind its schedule does not sleep but still yields every slice', async () => {
    const sleeps = recordSleeps();
    let wall = 0;
    const pacer = new Pacer(10, 25, () => (wall += 40)); // 40 ms of wall pass per look: always behind
    // Another device's work, queued behind the event loop: it runs only if the pacer gives the loop a turn.
    const otherDevice = vi.fn();
    setImmediate(otherDevice);
    await pacer.advance(100); // 10 ms of wall time due, 40 ms already passed
    expect(otherDevice).toHaveBeenCalled();
    await pacer.flush();
    expect(sleeps).toEqual([]);
  });

  it('forgives a lag of more than a slice instead of racing to catch up', async () => {
    const sleeps = recordSleeps();
    const clock = [0, 10_000]; // constructed at 0, then a 10 s stall (a busy process)
    const pacer = new Pacer(10, 25, () => clock.shift() ?? 10_000);
    await pacer.advance(1000); // 100 ms due at 0 + 100, 9.9 s late: the schedule restarts from now
    expect(sleeps).toEqual([]);
    await pacer.advance(1000); // another 100 ms of device time is again 100 ms of wall time
    expect(sleeps).toEqual([100]);
  });

  it('an abort ends a sleep', async () => {
    const pacer = new Pacer(1, 25, () => 0);
    const controller = new AbortController();
    const sleeping = pacer.advance(60_000, controller.signal); // a minute of wall time at timeScale 1
    controller.abort(new Error('revoked'));
    await expect(sleeping).rejects.toThrow('revoked');
  });

  it('refuses a timeScale that is not positive', () => {
    expect(() => new Pacer(0)).toThrow(/timeScale must be > 0/);
  });
});
