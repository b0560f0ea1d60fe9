// MEST elastic mutation, EM and EM&S (spec 2): the same driver (../mest.ts) with different bounds. Freq 5 of 160
// epochs and decay epochs 90/120 of 160 scale with the epoch count (freq >= 1, decay epochs strictly increasing).
// Bounds keep the reference mutation ratios relative to the active count: EM prunes 20%, 10%, 0% of the active
// weights below the target and grows back (0.92-0.91-0.9 at 90%); EM&S grows 50%, 25%, 0% above the target (the
// shipped 0.85-0.875-0.9 at 90%).
import { createMest } from '../mest.js';
import type { MethodModule } from '../method-module.js';
import { scheduleOfKind } from '../method-module.js';
import { scaledEpoch } from '../../schedules/scaling.js';
import type { MestSchedule } from '../../schedules/schema.js';

type MestName = 'mest-em' | 'mest-ems';

/** Sparsity whose active count is `factor` times that of `density`, clamped to [0, 1). */
function sparsityFor(density: number, factor: number): number {
  return Math.min(Math.max(1 - density * factor, 0), 1 - Number.EPSILON);
}

export function defaultMestBounds(method: MestName, density: number): Pick<MestSchedule, 'lowerBound' | 'upperBound'> {
  const target = 1 - density;
  if (method === 'mest-em') {
    return { lowerBound: [0.8, 0.9, 1].map((f) => sparsityFor(density, f)), upperBound: [target, target, target] };
  }
  return { lowerBound: [target, target, target], upperBound: [1.5, 1.25, 1].map((f) => sparsityFor(density, f)) };
}

/**
 * Decay epochs 90/120 of 160, scaled; then pulled in so that the last mask update of the run falls in the last
 * phase (grow-to bound = prune-to bound), as in the reference, where it does at epoch 155. Without that, a short
 * EM&S run would end above its memory bound.
 */
function defaultDecayEpochs(epochs: number, updateFrequency: number): number[] {
  const lastUpdate = Math.floor((epochs - 1) / updateFrequency) * updateFrequency;
  let first = Math.max(1, scaledEpoch(epochs, 90, 160));
  let second = Math.max(first + 1, scaledEpoch(epochs, 120, 160));
  if (lastUpdate >= 1 && second > lastUpdate) {
    second = lastUpdate;
    first = Math.min(first, second - 1);
  }
  return [first, second];
}

function mestModule(name: MestName, description: string): MethodModule {
  return {
    name,
    description,
    prune: 'importance',
    growth: 'random',
    scheduleKind: 'mest',
    replacesStep: false,
    scheduleDefaults: ({ epochs, density }) => {
      const updateFrequency = Math.max(1, scaledEpoch(epochs, 5, 160));
      return {
        kind: 'mest',
        ...defaultMestBounds(name, density),
        decayEpochs: defaultDecayEpochs(epochs, updateFrequency),
        updateFrequency,
        importanceLambda: 0,
      };
    },
    create: (schedule, options) =>
      createMest(name, scheduleOfKind(name, 'mest', schedule), { scaleBoundsByProfile: options.extensions?.mestScaleBoundsByProfile }),
  };
}

export const MEST_EM = mestModule('mest-em', 'MEST EM: each update epoch prune below the target by |w| + λ|g| and regrow at random to it (spec 2)');
export const MEST_EMS = mestModule('mest-ems', 'MEST EM&S: each update epoch grow at random above the target and prune back to it by |w| + λ|g| (spec 2)');
