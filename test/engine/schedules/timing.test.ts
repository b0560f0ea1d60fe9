import { describe, expect, it } from 'vitest';
import { dsbDropFraction, dsbEndStep, isDsbUpdateStep } from '../../../client/src/engine/sparse/schedules/dsb.js';
import { dstDropFraction, dstEndStep, isDstUpdateStep } from '../../../client/src/engine/sparse/schedules/dst.js';
import {
  granetDensityAt,
  granetPruneWindow,
  granetSparsityAtUpdate,
  isGranetPruneStep,
  isGranetUpdateStep,
  regenerationRateAt,
} from '../../../client/src/engine/sparse/schedules/granet.js';
import { isMestUpdateEpoch, mestBoundIndex, mestBoundsAt } from '../../../client/src/engine/sparse/schedules/mest.js';
import { parseSchedule, type DsbSchedule, type DstSchedule, type GranetSchedule, type MestSchedule } from '../../../client/src/engine/sparse/schedules/schema.js';
import { isUpdateStep } from '../../../client/src/engine/sparse/schedules/timing.js';

const dst = (fields: object) => parseSchedule({ kind: 'dst', ...fields }) as DstSchedule;
const granet = (fields: object) => parseSchedule({ kind: 'granet', ...fields }) as GranetSchedule;
const mest = (fields: object) => parseSchedule({ kind: 'mest', ...fields }) as MestSchedule;
const dsb = (fields: object) => parseSchedule({ kind: 'dsb', ...fields }) as DsbSchedule;
const RUN = { epochs: 100, stepsPerEpoch: 1000 };

describe('dstDropFraction', () => {
  it('should give the spec §8.2 cosine vector (α 0.3, T_end 75000)', () => {
    const s = dst({ endStep: 75000, dropFraction: 0.3 });
    expect(dstDropFraction(s, 0, RUN)).toBeCloseTo(0.3, 12);
    expect(dstDropFraction(s, 37500, RUN)).toBeCloseTo(0.15, 12);
    expect(dstDropFraction(s, 75000, RUN)).toBeCloseTo(0, 12);
    expect(dstDropFraction(s, 90000, RUN)).toBeCloseTo(0, 12);
  });

  it('should use the absolute step in the cosine like the reference', () => {
    const s = dst({ beginStep: 1000, endStep: 3000, dropFraction: 0.4 });
    // T = 2000; at t = 1000 the absolute-step cosine is already at its midpoint.
    expect(dstDropFraction(s, 1000, RUN)).toBeCloseTo(0.2, 12);
  });

  it('should decay exponentially and stay constant when asked', () => {
    const exp = dst({ beginStep: 0, endStep: 100, dropFraction: 0.3, decay: { kind: 'exponential', exponent: 2 } });
    expect(dstDropFraction(exp, 50, RUN)).toBeCloseTo(0.075, 12);
    expect(dstDropFraction(dst({ decay: 'constant', dropFraction: 0.2 }), 12345, RUN)).toBe(0.2);
  });

  it('should update every ΔT between begin and end, with end as a fraction of the run by default', () => {
    const s = dst({ updateInterval: 10, beginStep: 20 });
    expect(dstEndStep(s, { epochs: 2, stepsPerEpoch: 50 })).toBe(75);
    const steps = Array.from({ length: 100 }, (_, i) => i).filter((t) => isDstUpdateStep(s, t, { epochs: 2, stepsPerEpoch: 50 }));
    expect(steps).toEqual([20, 30, 40, 50, 60, 70]);
  });
});

describe('granet schedule', () => {
  it('should place the pruning window at the run\'s epoch starts when epochs changed length', () => {
    // Prepare: 100 steps per epoch until epoch 4 (step 400), then 60 (a refreshed removal set)
    const s = granet({ initDensity: 0.5, finalDensity: 0.1, initPruneEpoch: 2, finalPruneEpoch: 8, updateInterval: 20 });
    const run = { epochs: 10, stepsPerEpoch: 60, epochStartStep: (epoch: number) => 400 + (epoch - 4) * 60 };

    // Execute
    const window = granetPruneWindow(s, run);

    // Assert: the end is exact (epoch 8 starts at step 640); the start is extrapolated from the new length
    expect(window).toMatchObject({ startStep: 280, k0: 14, kf: 32 });
    expect(granetPruneWindow(s, { epochs: 10, stepsPerEpoch: 60 })).toMatchObject({ startStep: 120, kf: 24 });
  });

  it('should give the spec §8.3 cubic vector (d_i 0.5, d_f 0.1, n 10)', () => {
    const s = granet({ initDensity: 0.5, finalDensity: 0.1, initPruneEpoch: 0, finalPruneEpoch: 10, updateInterval: 100 });
    const window = granetPruneWindow(s, { epochs: 20, stepsPerEpoch: 100 });
    expect(window).toMatchObject({ k0: 0, kf: 10 });
    expect(granetSparsityAtUpdate(s, 0, window)).toBeCloseTo(0.5, 12);
    expect(granetSparsityAtUpdate(s, 5, window)).toBeCloseTo(0.85, 12);
    expect(granetSparsityAtUpdate(s, 9, window)).toBeCloseTo(0.8996, 12);
    expect(granetSparsityAtUpdate(s, 10, window)).toBeCloseTo(0.9, 12);
    expect(granetDensityAt(s, 500, { epochs: 20, stepsPerEpoch: 100 })).toBeCloseTo(0.15, 12);
  });

  it('should give the spec §8.4 regeneration vector (r_0 0.5, η_min 0.005)', () => {
    const s = granet({ regenerationRate: 0.5, regenerationMin: 0.005 });
    const run = { epochs: 10, stepsPerEpoch: 100 };
    expect(regenerationRateAt(s, 0, run)).toBeCloseTo(0.5, 12);
    expect(regenerationRateAt(s, 500, run)).toBeCloseTo(0.2525, 12);
    expect(regenerationRateAt(s, 1000, run)).toBeCloseTo(0.005, 12);
  });

  it('should gate updates at the window start and prune only inside the stretched window', () => {
    const s = granet({ initPruneEpoch: 1, finalPruneEpoch: 2, updateInterval: 5, multiplier: 2 });
    const run = { epochs: 10, stepsPerEpoch: 10 };
    expect(isGranetUpdateStep(s, 15, run)).toBe(false);
    expect(isGranetUpdateStep(s, 20, run)).toBe(true);
    expect(isGranetPruneStep(s, 40, run)).toBe(true);
    expect(isGranetPruneStep(s, 45, run)).toBe(false);
    expect(isGranetUpdateStep(s, 45, run)).toBe(true);
  });
});

describe('mest schedule', () => {
  it('should give the spec §8.5 bound indices and update epochs', () => {
    const s = mest({ decayEpochs: '90-120' });
    expect([0, 89, 90, 119, 120, 159].map((e) => mestBoundIndex(s, e))).toEqual([0, 0, 1, 1, 2, 2]);
    expect(Array.from({ length: 16 }, (_, e) => e).filter((e) => isMestUpdateEpoch(s, e))).toEqual([0, 5, 10, 15]);
    expect(mestBoundsAt(s, 100)).toEqual({ lower: 0.91, upper: 0.9 });
  });

  it('should reuse the last bound when the lists are shorter than the phases', () => {
    const s = mest({ lowerBound: 0.9, upperBound: 0.85, decayEpochs: '10-20-30' });
    expect(mestBoundIndex(s, 25)).toBe(0);
  });
});

describe('dsb schedule', () => {
  it('should follow the cosine fraction and update after (it + 1) % T == 0 inside the window', () => {
    const s = dsb({ updateInterval: 100, endStep: 75000 });
    expect(dsbEndStep(s, RUN)).toBe(75000);
    expect(dsbDropFraction(s, 37500, RUN)).toBeCloseTo(0.15, 12);
    expect(isDsbUpdateStep(s, 100, RUN)).toBe(true);
    expect(isDsbUpdateStep(s, 150, RUN)).toBe(false);
    expect(isDsbUpdateStep(s, 75000, RUN)).toBe(true);
    expect(isDsbUpdateStep(s, 75100, RUN)).toBe(false);
  });

  it('should stop at T_end/2 with the reference half window and never update when static', () => {
    expect(isDsbUpdateStep(dsb({ updateInterval: 100, endStep: 1000, referenceHalfWindow: true }), 500, RUN)).toBe(true);
    expect(isDsbUpdateStep(dsb({ updateInterval: 100, endStep: 1000, referenceHalfWindow: true }), 600, RUN)).toBe(false);
    expect(isDsbUpdateStep(dsb({ updateInterval: 100, staticMask: true }), 100, RUN)).toBe(false);
  });
});

describe('isUpdateStep', () => {
  it('should dispatch on the kind and treat MEST steps as epoch starts', () => {
    const run = { epochs: 20, stepsPerEpoch: 10 };
    const s = mest({ updateFrequency: 5 });
    expect(isUpdateStep(s, 50, run)).toBe(true);
    expect(isUpdateStep(s, 40, run)).toBe(false);
    expect(isUpdateStep(s, 51, run)).toBe(false);
    expect(isUpdateStep(parseSchedule({ kind: 'vrpge' }), 10, run)).toBe(false);
  });
});
