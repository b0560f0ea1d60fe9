// The RigL/SET/ITOP family: one driver (../dst-method.ts) over a 'dst' schedule; the members differ only in their
// schedule defaults (growth rule, drop fraction, end of updates).
import type { GrowthRule, MethodModule } from '../method-module.js';
import { scheduleOfKind } from '../method-module.js';
import { createDstMethod } from '../dst-method.js';
import { scaledUpdateInterval } from '../../schedules/scaling.js';
import type { MethodName } from '../types.js';

export interface DstMember {
  readonly name: Extract<MethodName, 'rigl' | 'set' | 'itop'>;
  readonly description: string;
  readonly growth: Exclude<GrowthRule, 'none'>;
  /** Fraction of the run after which the mask stops changing. */
  readonly endFraction: number;
  /** α, the initial drop fraction (cosine decay). */
  readonly dropFraction: number;
}

/** ΔT scaled from the reference 100 steps (RigL, and GraNet's DST for ITOP). */
const REFERENCE_INTERVAL = 100;

export function dstModule(member: DstMember): MethodModule {
  return {
    name: member.name,
    description: member.description,
    prune: 'magnitude',
    growth: member.growth,
    scheduleKind: 'dst',
    replacesStep: false,
    scheduleDefaults: ({ stepsPerEpoch }) => ({
      kind: 'dst',
      updateInterval: scaledUpdateInterval(stepsPerEpoch, REFERENCE_INTERVAL),
      endFraction: member.endFraction,
      dropFraction: member.dropFraction,
      decay: { kind: 'cosine' },
      growth: member.growth,
    }),
    create: (schedule) => createDstMethod(member.name, scheduleOfKind(member.name, 'dst', schedule)),
  };
}
