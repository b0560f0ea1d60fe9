// DSB / SSB shuffled blocks (spec 4): α 0.3, ΔT scaled from the reference 100, T_end = 75% of the run, B = the
// shuffled-block scheme's default side. SSB is DSB with a static mask.
import { createDsb } from '../dsb.js';
import type { MethodModule } from '../method-module.js';
import { scheduleOfKind } from '../method-module.js';
import { scaledUpdateInterval } from '../../schedules/scaling.js';
import { DEFAULT_SHUFFLED_BLOCK_SIDE } from '../../schemes/descriptors.js';

function dsbModule(name: 'dsb' | 'ssb', description: string): MethodModule {
  const staticMask = name === 'ssb';
  return {
    name,
    description,
    prune: staticMask ? 'none' : 'block-magnitude',
    growth: staticMask ? 'none' : 'gradient',
    scheduleKind: 'dsb',
    replacesStep: false,
    scheduleDefaults: ({ stepsPerEpoch }) => ({
      kind: 'dsb',
      updateInterval: scaledUpdateInterval(stepsPerEpoch, 100),
      endFraction: 0.75,
      dropFraction: 0.3,
      blockSize: DEFAULT_SHUFFLED_BLOCK_SIDE,
      staticMask,
    }),
    create: (schedule) => createDsb(name, scheduleOfKind(name, 'dsb', schedule)),
  };
}

export const DSB = dsbModule('dsb', 'DSB: shuffled B×B blocks, every ΔT steps drop by |w| and regrow by |∂L/∂w|, then re-extract blocks (spec 4)');
export const SSB = dsbModule('ssb', 'SSB: the initial shuffled B×B blocks of DSB, kept static (spec 4)');
