// VRPGE (spec 5): keep half of the channels; fine-tune for the reference 40 of 340 epochs (rounded, 0 for very
// short runs).
import type { MethodModule } from '../method-module.js';
import { scheduleOfKind } from '../method-module.js';
import { scaledEpoch } from '../../schedules/scaling.js';
import { createVrpge } from '../vrpge.js';

export const VRPGE: MethodModule = {
  name: 'vrpge',
  description: 'VRPGE: learn a keep-probability per output channel from K sampled channel masks per step (spec 5)',
  prune: 'channel-scores',
  growth: 'none',
  scheduleKind: 'vrpge',
  replacesStep: true,
  scheduleDefaults: ({ epochs }) => ({ kind: 'vrpge', keepFraction: 0.5, finetuneEpochs: Math.min(epochs - 1, scaledEpoch(epochs, 40, 340)) }),
  create: (schedule) => createVrpge(scheduleOfKind('vrpge', 'vrpge', schedule)),
};
