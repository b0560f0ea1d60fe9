// The GMP/GraNet family: one driver (../granet-method.ts) over a 'granet' schedule. The CIFAR script's pruning
// window, epochs 0 → 80 of 160, is the first half of the run; GraNet starts sparse at s_i = 0.5 (raised to the
// target density when that is denser) and regenerates with gradient growth, GMP starts dense and never regrows.
// The plain names rank globally, the *-uniform variants per layer.
import { createGranetMethod, type GradualRanking } from '../granet-method.js';
import type { MethodModule } from '../method-module.js';
import { scheduleOfKind } from '../method-module.js';
import { scaledUpdateInterval } from '../../schedules/scaling.js';
import type { MethodName } from '../types.js';

export interface GradualMember {
  readonly name: Extract<MethodName, 'gmp' | 'gmp-uniform' | 'granet' | 'granet-uniform'>;
  readonly description: string;
  /** GMP: dense start, no regeneration; GraNet: sparse start with zero-cost neuroregeneration. */
  readonly regenerate: boolean;
  readonly ranking: GradualRanking;
}

/** ΔT scaled from GraNet's CIFAR script, 1000 steps. */
const REFERENCE_INTERVAL = 1000;

export function gradualModule(member: GradualMember): MethodModule {
  return {
    name: member.name,
    description: member.description,
    prune: 'magnitude',
    growth: member.regenerate ? 'gradient' : 'none',
    scheduleKind: 'granet',
    replacesStep: false,
    scheduleDefaults: ({ epochs, stepsPerEpoch, density }) => ({
      kind: 'granet',
      initDensity: member.regenerate ? Math.max(0.5, density) : 1,
      finalDensity: density,
      initPruneEpoch: 0,
      finalPruneEpoch: Math.max(epochs / 2, 1 / stepsPerEpoch),
      updateInterval: scaledUpdateInterval(stepsPerEpoch, REFERENCE_INTERVAL),
      regenerate: member.regenerate,
      growth: 'gradient',
    }),
    create: (schedule) => createGranetMethod(member.name, scheduleOfKind(member.name, 'granet', schedule), member.ranking),
  };
}
