// CoalescedRun: one run at a time, and any number of requests during a run cause exactly one more.
import { describe, expect, it } from 'vitest';
import { CoalescedRun } from '../../server/src/common/coalesced-run.js';

describe(CoalescedRun.name, () => {
  it('runs once more after a run that was asked for again, however often', async () => {
    let runs = 0;
    let release: () => void = () => undefined;
    const sut = new CoalescedRun(async () => {
      runs += 1;
      if (runs === 1) await new Promise<void>((resolve) => (release = resolve));
    });
    const first = sut.request();
    const covered = [sut.request(), sut.request(), sut.request()];
    release();
    await Promise.all([first, ...covered]);
    expect(runs).toBe(2);
    expect(sut.inProgress).toBeUndefined();
    await sut.request();
    expect(runs).toBe(3);
  });

  it('skips the extra run when told to stop', async () => {
    let runs = 0;
    let release: () => void = () => undefined;
    let keepGoing = true;
    const sut = new CoalescedRun(async () => {
      runs += 1;
      await new Promise<void>((resolve) => (release = resolve));
    }, () => keepGoing);
    const first = sut.request();
    void sut.request();
    keepGoing = false;
    release();
    await first;
    expect(runs).toBe(1);
  });
});
