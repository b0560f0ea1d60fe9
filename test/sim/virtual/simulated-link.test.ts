import { describe, expect, it } from 'vitest';
import type { Rng } from '../../../client/src/engine/util/rng.js';
import { SimulatedLink, type LinkModel } from '../../../client/src/sim/virtual/simulated-link.js';

/** Draws the given values in order (then 0.99: "no" to every rate). */
function scriptedRng(values: number[]): Rng {
  const next = () => values.shift() ?? 0.99;
  return { seed: 0, next, int: (n) => Math.floor(next() * n), normal: () => 0, derive: () => scriptedRng([]) };
}

/** A manual clock: scheduled sends run only when the test advances it. */
class ManualClock {
  private now = 0;
  private readonly pending: Array<{ at: number; run: () => void }> = [];
  readonly schedule = (run: () => void, wallMs: number): void => {
    this.pending.push({ at: this.now + wallMs, run });
  };
  advance(wallMs: number): void {
    this.now += wallMs;
    const due = this.pending.filter((entry) => entry.at <= this.now).sort((a, b) => a.at - b.at);
    for (const entry of due) this.pending.splice(this.pending.indexOf(entry), 1);
    for (const entry of due) entry.run();
  }
}

const model = (change: Partial<LinkModel> = {}): LinkModel => ({ latencyMs: 0, jitterMs: 0, lossRate: 0, duplicateRate: 0, reorderRate: 0, ...change });

describe(SimulatedLink.name, () => {
  it('should send at once on a perfect link', () => {
    const sent: string[] = [];
    const sut = new SimulatedLink(model(), { timeScale: 1, random: scriptedRng([]) });
    sut.send(() => sent.push('a'), 10);
    expect(sent).toEqual(['a']);
  });

  it('should delay by latency divided by the time scale, plus size over bandwidth', () => {
    // Prepare
    const clock = new ManualClock();
    const sent: string[] = [];
    // 300 sim ms latency + 1000 bytes at 80 kbps (80 bits/ms) = 100 sim ms; at time scale 10: 40 wall ms.
    const sut = new SimulatedLink(model({ latencyMs: 300, bandwidthKbps: 80 }), { timeScale: 10, random: scriptedRng([0.99, 0.99, 0.99, 0.5]), schedule: clock.schedule });

    // Execute
    sut.send(() => sent.push('a'), 1000);
    clock.advance(39);
    const before = [...sent];
    clock.advance(1);

    // Assert
    expect(before).toEqual([]);
    expect(sent).toEqual(['a']);
  });

  it('should not send a lost envelope at all', () => {
    const sent: string[] = [];
    const sut = new SimulatedLink(model({ lossRate: 0.5 }), { timeScale: 1, random: scriptedRng([0.1]) });
    sut.send(() => sent.push('a'), 10);
    expect(sent).toEqual([]);
    expect(sut.counters.lost).toBe(1);
  });

  it('should send a duplicated envelope twice', () => {
    const sent: string[] = [];
    // loss draw 0.99 (kept), duplicate draw 0.1 (< 0.5: twice), reorder draw 0.99 (not held).
    const sut = new SimulatedLink(model({ duplicateRate: 0.5 }), { timeScale: 1, random: scriptedRng([0.99, 0.1, 0.99]) });
    sut.send(() => sent.push('a'), 10);
    expect(sent).toEqual(['a', 'a']);
    expect(sut.counters.duplicated).toBe(1);
  });

  it('should hold a reordered envelope back until the next one has gone out', () => {
    // Prepare
    const clock = new ManualClock();
    const sent: string[] = [];
    // first: kept, single, held (0.1 < 0.5); second: kept, single, (not asked: one is already held).
    const sut = new SimulatedLink(model({ reorderRate: 0.5 }), { timeScale: 1, random: scriptedRng([0.99, 0.99, 0.1, 0.99, 0.99]), schedule: clock.schedule });

    // Execute
    sut.send(() => sent.push('first'), 10);
    const whileHeld = [...sent];
    sut.send(() => sent.push('second'), 10);

    // Assert
    expect(whileHeld).toEqual([]);
    expect(sent).toEqual(['second', 'first']);
    expect(sut.counters.reordered).toBe(1);
  });

  it('should release a held envelope after the longest hold when nothing follows it', () => {
    const clock = new ManualClock();
    const sent: string[] = [];
    const sut = new SimulatedLink(model({ reorderRate: 1 }), { timeScale: 1, random: scriptedRng([0.99, 0.99, 0.1]), schedule: clock.schedule, maxHoldMs: 30 });
    sut.send(() => sent.push('alone'), 10);
    clock.advance(29);
    expect(sent).toEqual([]);
    clock.advance(1);
    expect(sent).toEqual(['alone']);
  });

  it('should drop everything while partitioned, tell its watcher, and heal', () => {
    // Prepare
    const sent: string[] = [];
    const reachability: boolean[] = [];
    const sut = new SimulatedLink(model(), { timeScale: 1, random: scriptedRng([]) });
    sut.watchReachability((reachable) => reachability.push(reachable));

    // Execute
    sut.partition(60_000);
    sut.send(() => sent.push('during'), 10);
    sut.heal();
    sut.send(() => sent.push('after'), 10);

    // Assert
    expect(reachability).toEqual([false, true]);
    expect(sent).toEqual(['after']);
    expect(sut.counters.lost).toBe(1);
  });
});
