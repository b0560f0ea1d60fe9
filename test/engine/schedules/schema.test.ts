import { describe, expect, it } from 'vitest';
import { decodeProto, encodeProto } from '../../../protocol/src/index.js';
import { defaultScheduleFor, parseScheduleForRun } from '../../../client/src/engine/sparse/schedules/defaults.js';
import { mestBoundsAt } from '../../../client/src/engine/sparse/schedules/mest.js';
import {
  parseSchedule,
  scheduleFromProto,
  scheduleToProto,
  ScheduleValidationError,
  type Schedule,
} from '../../../client/src/engine/sparse/schedules/schema.js';
import type { MethodName } from '../../../client/src/engine/sparse/methods/types.js';

function issuesOf(input: unknown): string[] {
  try {
    parseSchedule(input);
  } catch (error) {
    expect(error).toBeInstanceOf(ScheduleValidationError);
    return (error as ScheduleValidationError).issues.map((issue) => `${issue.path}: ${issue.message}`);
  }
  throw new Error('expected a validation error');
}

describe('parseSchedule', () => {
  it('should fill the reference defaults of every kind', () => {
    expect(parseSchedule({ kind: 'dst' })).toEqual({
      kind: 'dst',
      updateInterval: 100,
      beginStep: 0,
      endFraction: 0.75,
      dropFraction: 0.3,
      decay: { kind: 'cosine' },
      pruneMode: 'magnitude',
      growth: 'gradient',
      redistribution: 'none',
      growInit: 'zeros',
    });
    const mest = parseSchedule({ kind: 'mest' });
    expect(mest).toMatchObject({ lowerBound: [0.92, 0.91, 0.9], upperBound: [0.9, 0.9, 0.9], decayEpochs: [90, 120], updateFrequency: 5 });
    expect(parseSchedule({ kind: 'vrpge' })).toMatchObject({ samples: 2, keepFraction: 0.5, scoreInit: 0.5, clipNorm: 3, scoreDenominator: 'sqrt' });
  });

  it('should accept MEST dash strings and single numbers for bounds and decay epochs', () => {
    const schedule = parseSchedule({ kind: 'mest', lowerBound: '0.9-0.9-0.9', upperBound: '0.85-0.875-0.9', decayEpochs: 90 });
    expect(schedule).toMatchObject({ lowerBound: [0.9, 0.9, 0.9], upperBound: [0.85, 0.875, 0.9], decayEpochs: [90] });
  });

  it('should accept a bare string as the decay shorthand', () => {
    expect(parseSchedule({ kind: 'dst', decay: 'exponential' })).toMatchObject({ decay: { kind: 'exponential', exponent: 1 } });
  });

  it('should name the field path of an out-of-range list entry', () => {
    expect(issuesOf({ kind: 'mest', lowerBound: '0.92-1.2-0.9' })).toContain('mest.lowerBound[1]: must be in [0,1)');
  });

  it('should report cross-field errors on the offending field', () => {
    expect(issuesOf({ kind: 'mest', lowerBound: [0.9, 0.9], upperBound: [0.9] })).toContain(
      'mest.upperBound: must have as many entries as lowerBound (2), got 1',
    );
    expect(issuesOf({ kind: 'mest', lowerBound: [0.9], upperBound: [0.95] })).toContain('mest.upperBound[0]: must be <= lowerBound[0] (0.9)');
    expect(issuesOf({ kind: 'mest', decayEpochs: [120, 90] })).toContain('mest.decayEpochs[1]: must be > decayEpochs[0] (120)');
    expect(issuesOf({ kind: 'granet', initDensity: 0.05, finalDensity: 0.1 })).toContain('granet.initDensity: must be >= finalDensity (0.1)');
    expect(issuesOf({ kind: 'dst', beginStep: 50, endStep: 40 })).toContain('dst.endStep: must be > beginStep (50)');
  });

  it('should name unknown fields, bad enums and unknown kinds', () => {
    expect(issuesOf({ kind: 'dst', growht: 'random' })).toContain('dst.growht: unknown field');
    expect(issuesOf({ kind: 'dst', growth: 'magic' })).toContain('dst.growth: must be one of random, gradient, momentum');
    expect(issuesOf({ kind: 'dst', decay: { kind: 'linear' } })[0]).toMatch(/^dst\.decay/);
    expect(issuesOf({ kind: 'nope' })).toEqual(['schedule.kind: must be one of dst, granet, mest, dsb, vrpge']);
    expect(issuesOf({ kind: 'vrpge', samples: 1 })).toContain('vrpge.samples: must be >= 2 (the estimator needs two samples)');
  });
});

const EXAMPLES: Schedule[] = [
  parseSchedule({ kind: 'dst', updateInterval: 7, beginStep: 3, endStep: 900, dropFraction: 0.25, decay: { kind: 'exponential', exponent: 3 }, pruneMode: 'set', growth: 'momentum', redistribution: 'magnitude', growInit: 'keep' }),
  parseSchedule({ kind: 'dst', decay: 'constant', growth: 'random' }),
  parseSchedule({ kind: 'granet', initDensity: 1, finalDensity: 0.02, initPruneEpoch: 1.5, finalPruneEpoch: 30, updateInterval: 4000, multiplier: 2.5, regenerate: false, growth: 'random' }),
  parseSchedule({ kind: 'mest', lowerBound: '0.9-0.9-0.9', upperBound: '0.85-0.875-0.9', decayEpochs: '90-120', updateFrequency: 5, importanceLambda: 0.25 }),
  parseSchedule({ kind: 'dsb', updateInterval: 800, endStep: 400000, dropFraction: 0.3, blockSize: 16, staticMask: true, referenceHalfWindow: true }),
  parseSchedule({ kind: 'dsb', endFraction: 1.2 }),
  parseSchedule({ kind: 'vrpge', samples: 3, keepFraction: 0.3, scoreLearningRate: 0.012, scoreInit: 1, clipNorm: 5, finetuneEpochs: 0, finetuneLearningRate: 0.002, scoreDenominator: 'variance' }),
];

describe('scheduleToProto', () => {
  it.each(EXAMPLES.map((s, i) => [i, s] as const))('should round-trip example %i exactly through the wire bytes', (_, schedule) => {
    const bytes = encodeProto('sparsefleet.v1.Schedule', scheduleToProto(schedule));
    expect(scheduleFromProto(decodeProto('sparsefleet.v1.Schedule', bytes))).toStrictEqual(schedule);
  });

  it('should reject an empty proto schedule and validate what arrives', () => {
    expect(() => scheduleFromProto({})).toThrow(/schedule.kind/);
    const bad = scheduleToProto(parseSchedule({ kind: 'mest' }));
    if (!bad.mest) throw new Error('unexpected case');
    bad.mest.upperBound = [0.95, 0.9, 0.9];
    expect(() => scheduleFromProto(bad)).toThrow(/mest\.upperBound\[0\]/);
  });
});

const METHODS: MethodName[] = ['set', 'rigl', 'itop', 'gmp', 'gmp-uniform', 'granet', 'granet-uniform', 'mest-em', 'mest-ems', 'dsb', 'ssb', 'vrpge'];

describe('defaultScheduleFor', () => {
  it.each(METHODS)('should give a valid schedule for %s on short and reference-length runs', (method) => {
    for (const run of [
      { epochs: 3, stepsPerEpoch: 8, density: 0.1 },
      { epochs: 160, stepsPerEpoch: 391, density: 0.1 },
      { epochs: 1, stepsPerEpoch: 1, density: 0.6 },
    ]) {
      const schedule = defaultScheduleFor(method, run);
      expect(schedule).toBeDefined();
      expect(parseSchedule(schedule)).toStrictEqual(schedule);
    }
  });

  it('should return no schedule for dense and static', () => {
    expect(defaultScheduleFor('dense', { epochs: 2, stepsPerEpoch: 2, density: 0.1 })).toBeUndefined();
    expect(defaultScheduleFor('static', { epochs: 2, stepsPerEpoch: 2, density: 0.1 })).toBeUndefined();
  });

  it('should keep reference values on reference-length runs and scale them on short ones', () => {
    const long = defaultScheduleFor('rigl', { epochs: 160, stepsPerEpoch: 391, density: 0.1 });
    expect(long).toMatchObject({ kind: 'dst', updateInterval: 100, growth: 'gradient', decay: { kind: 'cosine' } });
    const short = defaultScheduleFor('rigl', { epochs: 4, stepsPerEpoch: 20, density: 0.1 });
    expect(short).toMatchObject({ updateInterval: 10 });
    const em = defaultScheduleFor('mest-em', { epochs: 160, stepsPerEpoch: 10, density: 0.1 });
    expect(em).toMatchObject({ decayEpochs: [90, 120], updateFrequency: 5 });
    if (em?.kind !== 'mest') throw new Error('expected mest');
    em.lowerBound.forEach((value, i) => expect(value).toBeCloseTo([0.92, 0.91, 0.9][i], 12));
    const ems = defaultScheduleFor('mest-ems', { epochs: 16, stepsPerEpoch: 10, density: 0.1 });
    if (ems?.kind !== 'mest') throw new Error('expected mest');
    expect(ems.decayEpochs).toEqual([9, 12]);
    ems.upperBound.forEach((value, i) => expect(value).toBeCloseTo([0.85, 0.875, 0.9][i], 12));
    expect(defaultScheduleFor('ssb', { epochs: 4, stepsPerEpoch: 20, density: 0.1 })).toMatchObject({ staticMask: true });
  });

  it('should put the last MEST update of a short run in the last phase, so EM&S ends at its target', () => {
    for (const epochs of [2, 3, 5, 8]) {
      const ems = defaultScheduleFor('mest-ems', { epochs, stepsPerEpoch: 10, density: 0.1 });
      if (ems?.kind !== 'mest') throw new Error('expected mest');
      const lastUpdate = Math.floor((epochs - 1) / ems.updateFrequency) * ems.updateFrequency;
      const { lower, upper } = mestBoundsAt(ems, lastUpdate);
      expect(upper).toBeCloseTo(lower, 12);
      expect(lower).toBeCloseTo(0.9, 12);
    }
  });
});

describe('parseScheduleForRun', () => {
  it('should fill missing fields from the run-scaled defaults', () => {
    const schedule = parseScheduleForRun({ kind: 'dst', dropFraction: 0.5 }, 'set', { epochs: 4, stepsPerEpoch: 20, density: 0.2 });
    expect(schedule).toMatchObject({ dropFraction: 0.5, updateInterval: 10, growth: 'random' });
  });
});
