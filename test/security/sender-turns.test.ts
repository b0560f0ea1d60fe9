// Turns of one sender's frames (server/src/security/sender-turns.ts): a bounded number in flight, a bounded queue
// served in order, one event-loop turn apart, and senders independent of each other.
import { describe, expect, it } from 'vitest';
import { SenderTurns, type ReleaseTurn } from '../../server/src/security/sender-turns.js';

const nextTurnOfLoop = () => new Promise((resolve) => setImmediate(resolve));

describe(SenderTurns.name, () => {
  it('should give turns at once up to the in-flight limit, queue the next ones and refuse beyond the queue', async () => {
    // Prepare
    const sut = new SenderTurns(2, 2);
    const started: string[] = [];
    const take = (label: string) => sut.take('device:a')?.then((release) => (started.push(label), release));

    // Execute
    const turns = ['1', '2', '3', '4'].map(take);
    const refused = take('5');
    await Promise.resolve();
    await Promise.resolve();
    const startedBeforeRelease = [...started];
    const release1 = (await turns[0]) as ReleaseTurn;
    release1();
    release1(); // a second call ends nothing more
    await nextTurnOfLoop();
    const startedAfterOneRelease = [...started];

    // Assert
    expect(refused).toBeUndefined();
    expect(startedBeforeRelease).toEqual(['1', '2']);
    expect(startedAfterOneRelease).toEqual(['1', '2', '3']);
  });

  it('should keep senders apart and forget a sender once it has nothing in flight', async () => {
    // Prepare
    const sut = new SenderTurns(1, 0);

    // Execute
    const a = await sut.take('device:a')!;
    const b = sut.take('device:b');
    const aAgain = sut.take('device:a');
    const activeWhileBusy = sut.activeSenders;
    a();
    (await b!)();

    // Assert
    expect(b).toBeDefined();
    expect(aAgain).toBeUndefined();
    expect(activeWhileBusy).toBe(2);
    expect(sut.activeSenders).toBe(0);
  });

  it('should start a queued frame on a later turn of the event loop, after I/O already waiting', async () => {
    // Prepare
    const sut = new SenderTurns(1, 1);
    const order: string[] = [];
    const first = await sut.take('device:a')!;
    const queued = sut.take('device:a')!.then((release) => (order.push('queued frame'), release));

    // Execute: the release runs in a microtask chain; another device's callback is already due on this loop turn.
    setImmediate(() => order.push('other device'));
    await Promise.resolve().then(first);
    (await queued)();

    // Assert
    expect(order).toEqual(['other device', 'queued frame']);
  });
});
