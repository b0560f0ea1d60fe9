// Batching kernel calls so the compared sides time iterations of about the same length.
import { describe, expect, it } from 'vitest';
import { calibrateCalls, equalizedSampleTarget, pickFastestVariant, singleCallMs } from '../../../client/src/engine/bench/kernel-measure.js';

function fakeTime() {
  let t = 0;
  return { now: () => t, call: (ms: number) => () => void (t += ms) };
}

describe('equalizedSampleTarget', () => {
  it('should batch the fast side up to one call of the slow side', () => {
    const time = fakeTime();
    const sparse = time.call(1.5);
    const dense = time.call(12);
    expect(singleCallMs(dense, time.now)).toBe(12);
    const target = equalizedSampleTarget([sparse, dense], 1, time.now);
    expect(target).toBe(12);
    expect(calibrateCalls(sparse, target, time.now)).toBe(8);
    expect(calibrateCalls(dense, target, time.now)).toBe(1);
  });

  it('should keep the minimum target when every call is shorter', () => {
    const time = fakeTime();
    expect(equalizedSampleTarget([time.call(0.01), time.call(0.1)], 1, time.now)).toBe(1);
  });
});

describe('pickFastestVariant', () => {
  it('should keep a single variant without probing and pick the fastest of several', async () => {
    const time = fakeTime();
    let probed = 0;
    const only = await pickFastestVariant({ one: () => void (probed += 1) });
    expect(only.path).toBe('one');
    expect(probed).toBe(0);
    const clock = { now: time.now, sleep: async () => undefined };
    const best = await pickFastestVariant({ slow: time.call(3), fast: time.call(2), slower: time.call(5) }, { clock, sampleTargetMs: 1 });
    expect(best.path).toBe('fast');
  });
});
