// Discrete-event virtual time: timers fire in (due time, scheduling order), one per step, only once the process is
// quiescent (work in flight settled, the event loop idle), and agent code given the clock runs on it (heartbeats).
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { sleepOn } from '../../../client/src/agent/clock.js';
import { HeartbeatLoop } from '../../../client/src/agent/heartbeat.js';
import { createRng } from '../../../client/src/engine/util/rng.js';
import { VirtualClock } from '../../../client/src/sim/virtual/virtual-clock.js';

const TELEMETRY = () => ({ freeMemoryBytes: 1, loadAverage_1m: 0, batteryLevel: -1, charging: false, temperatureCelsius: -1 }) as never;

describe(VirtualClock.name, () => {
  it('should fire timers in due order, ties in scheduling order, jumping the time to each', async () => {
    const sut = new VirtualClock({ startMs: 1_000 });
    const fired: string[] = [];
    sut.setTimeout(() => fired.push(`c@${sut.now()}`), 300);
    sut.setTimeout(() => fired.push(`a@${sut.now()}`), 100);
    sut.setTimeout(() => fired.push(`b@${sut.now()}`), 100);
    const cleared = sut.setTimeout(() => fired.push('cleared'), 200);
    sut.clearTimeout(cleared);

    const times = [await sut.step(), await sut.step(), await sut.step(), await sut.step()];

    expect(fired).toEqual(['a@1100', 'b@1100', 'c@1300']);
    expect(times).toEqual([1100, 1100, 1300, undefined]);
    expect(sut.pendingTimers).toBe(0);
  });

  it('should not move the time while work is in flight', async () => {
    const sut = new VirtualClock();
    const order: string[] = [];
    sut.setTimeout(() => order.push(`timer@${sut.now()}`), 50);
    const release = sut.hold();
    setTimeout(() => {
      order.push('work settled');
      release();
    }, 30);

    await sut.step();

    expect(order).toEqual(['work settled', 'timer@50']);
  });

  it('should see timers that asynchronous work schedules after a few event-loop turns', async () => {
    const sut = new VirtualClock();
    const fired: number[] = [];
    sut.setTimeout(() => {
      void (async () => {
        for (let turn = 0; turn < 2; turn += 1) await new Promise((resolve) => setImmediate(resolve));
        sut.setTimeout(() => fired.push(sut.now()), 5);
      })();
    }, 10);
    sut.setTimeout(() => fired.push(sut.now()), 100);

    await sut.runUntil(1_000);

    expect(fired).toEqual([15, 100]);
    expect(sut.now()).toBe(1_000);
  });

  it('should produce the same event log for the same seed and a different one for another seed', async () => {
    // Ten actors that wait a seeded time, do asynchronous work, log and wait again.
    const simulate = async (seed: number): Promise<string[]> => {
      const clock = new VirtualClock();
      const random = createRng(seed);
      const log: string[] = [];
      for (let actor = 0; actor < 10; actor += 1) {
        const act = async (round: number): Promise<void> => {
          await sleepOn(clock, Math.floor(random.next() * 1_000));
          await clock.track(new Promise((resolve) => setTimeout(resolve, Math.floor(random.next() * 3))));
          log.push(`${clock.now()} actor ${actor} round ${round}`);
          if (round < 3) void act(round + 1);
        };
        void act(0);
      }
      await clock.runUntil(60_000);
      return log;
    };

    const first = await simulate(7);
    const again = await simulate(7);
    const other = await simulate(8);

    expect(first).toHaveLength(40);
    expect(again).toEqual(first);
    expect(other).not.toEqual(first);
  });

  it('should run the agent heartbeat on virtual time', async () => {
    const sut = new VirtualClock({ startMs: 0 });
    const sent: number[] = [];
    const heartbeat = new HeartbeatLoop({
      send: async (beat) => {
        sent.push(beat.sentAtMs);
        return { heartbeatIntervalMs: 0 } as never;
      },
      runningJobIds: () => [],
      telemetry: TELEMETRY,
      clock: sut,
    });

    heartbeat.start(30_000);
    await sut.runUntil(100_000);
    heartbeat.stop();

    expect(sent).toEqual([30_000, 60_000, 90_000]);
  });

  it('should not step while untracked work still runs callbacks or a file request is pending (watchActivity)', async () => {
    const sut = new VirtualClock({ watchActivity: true });
    const order: string[] = [];
    sut.setTimeout(() => order.push(`timer@${sut.now()}`), 10);
    // Work nobody holds the clock for: 20 event-loop turns in a row, then a file written and closed.
    const work = (async () => {
      for (let turn = 0; turn < 20; turn += 1) await new Promise((resolve) => setImmediate(resolve));
      const { open, rm } = await import('node:fs/promises');
      const file = join(tmpdir(), `vclock-${process.pid}-${Date.now()}.tmp`);
      const handle = await open(file, 'w');
      await handle.writeFile('x');
      await handle.close();
      await rm(file);
      order.push('work done');
    })();

    await sut.step();
    await work;
    sut.dispose();

    expect(order).toEqual(['work done', 'timer@10']);
    expect(sut.forcedSteps).toBe(0);
  });

  it('should count a connection attempt as work in flight until it is answered (watchActivity)', async () => {
    const { createServer, connect } = await import('node:net');
    // A port that refuses: bound once, then closed.
    const server = createServer();
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    const { port } = server.address() as { port: number };
    await new Promise<void>((resolve) => server.close(() => resolve()));
    const sut = new VirtualClock({ watchActivity: true });
    const order: string[] = [];
    sut.setTimeout(() => order.push(`timer@${sut.now()}`), 10);

    const socket = connect(port, '127.0.0.1');
    socket.once('error', (error: NodeJS.ErrnoException) => order.push(error.code ?? 'error'));
    await new Promise((resolve) => process.nextTick(resolve));
    const inFlight = sut.requestsInFlight;
    await sut.step();
    sut.dispose();

    expect(inFlight).toBe(1);
    expect(sut.requestsInFlight).toBe(0);
    expect(order).toEqual(['ECONNREFUSED', 'timer@10']);
  });

  it('should drop every timer of a scope at once and ignore the ones set afterwards', async () => {
    const sut = new VirtualClock();
    const scope = sut.scope();
    const fired: string[] = [];
    scope.setTimeout(() => fired.push('scoped'), 10);
    sut.setTimeout(() => fired.push('outside'), 20);

    scope.drop();
    scope.setTimeout(() => fired.push('after drop'), 5);
    await sut.runUntil(100);

    expect(fired).toEqual(['outside']);
  });

  it('should fire nothing when the unless check says so once quiescent', async () => {
    const sut = new VirtualClock();
    const fired: number[] = [];
    sut.setTimeout(() => fired.push(sut.now()), 10);

    const stepped = await sut.step(() => true);

    expect(stepped).toBeUndefined();
    expect(fired).toEqual([]);
    expect(sut.pendingTimers).toBe(1);
  });
});
