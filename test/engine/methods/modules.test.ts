// Each method is one module that states what it is; what it states must be what it does: its default schedule has
// its kind and growth rule, and a method replaces the step exactly when its module says so.
import { describe, expect, it } from 'vitest';
import { METHOD_MODULES, methodModule } from '../../../client/src/engine/sparse/methods/modules/index.js';
import { createMethod } from '../../../client/src/engine/sparse/methods/registry.js';
import type { MethodName } from '../../../client/src/engine/sparse/methods/types.js';
import { defaultScheduleFor } from '../../../client/src/engine/sparse/schedules/defaults.js';
import type { Schedule } from '../../../client/src/engine/sparse/schedules/schema.js';
import { METHOD_NAMES } from '../../../client/src/engine/train/config.js';

const RUN = { epochs: 8, stepsPerEpoch: 10, density: 0.2 };

/** The growth rule a schedule actually configures. */
function scheduledGrowth(schedule: Schedule | undefined): string {
  switch (schedule?.kind) {
    case undefined:
    case 'vrpge':
      return 'none';
    case 'dst':
      return schedule.growth;
    case 'granet':
      return schedule.regenerate ? schedule.growth : 'none';
    case 'mest':
      return 'random';
    case 'dsb':
      return schedule.staticMask ? 'none' : 'gradient';
  }
}

describe('method modules', () => {
  it('should list one module per method name, the names a config accepts', () => {
    expect(METHOD_MODULES.map((module) => module.name)).toEqual(METHOD_NAMES);
    expect(new Set(METHOD_NAMES).size).toBe(METHOD_NAMES.length);
    expect(() => methodModule('lottery' as MethodName)).toThrow(/Unknown training method "lottery"/);
  });

  it.each(METHOD_MODULES.map((module) => [module.name, module] as const))('%s should do what its module states', (name, module) => {
    const schedule = defaultScheduleFor(name, RUN);
    expect(schedule?.kind).toBe(module.scheduleKind);
    expect(scheduledGrowth(schedule)).toBe(module.growth);
    expect(module.description.length).toBeGreaterThan(0);
    const method = createMethod(name, { epochs: RUN.epochs, stepsPerEpoch: RUN.stepsPerEpoch, density: RUN.density });
    expect(method.name).toBe(name);
    expect(method.customStep !== undefined).toBe(module.replacesStep);
    // Deferred (schedule built at initialize) too.
    expect(createMethod(name, { epochs: RUN.epochs, stepsPerEpoch: RUN.stepsPerEpoch }).customStep !== undefined).toBe(module.replacesStep);
  });

  it('should refuse to build a method on another kind of schedule', () => {
    const dst = defaultScheduleFor('rigl', RUN);
    expect(() => methodModule('granet').create(dst, {})).toThrow(/granet: needs a 'granet' schedule, got 'dst'/);
  });
});
