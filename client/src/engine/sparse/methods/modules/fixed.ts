// Methods without a schedule: dense training, and static sparse training (one random mask per layer at its
// allocated density, never changed).
import { createDense } from '../dense.js';
import type { MethodModule } from '../method-module.js';
import { createStatic } from '../static.js';

export const DENSE: MethodModule = {
  name: 'dense',
  description: 'Dense training: no masks',
  prune: 'none',
  growth: 'none',
  scheduleKind: undefined,
  replacesStep: false,
  scheduleDefaults: () => undefined,
  create: () => createDense(),
};

export const STATIC: MethodModule = {
  name: 'static',
  description: 'Static sparse training: one random mask per layer at its allocated density, never changed',
  prune: 'none',
  growth: 'none',
  scheduleKind: undefined,
  replacesStep: false,
  scheduleDefaults: () => undefined,
  create: () => createStatic(),
};
