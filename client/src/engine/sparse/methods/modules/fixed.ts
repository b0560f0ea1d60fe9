// Methods without a schedule: dense training, and static sparse training (one random mask per layer at its
// allocated density, never changed).
import { createDense } from '../dense.js';
import type { MethodModule } from '../method-module.js';
import { createStatic } from '../static.js';
import type { MethodName, SparseTrainingMethod } from '../types.js';

function fixedModule(name: Extract<MethodName, 'dense' | 'static'>, description: string, create: () => SparseTrainingMethod): MethodModule {
  return { name, description, prune: 'none', growth: 'none', scheduleKind: undefined, replacesStep: false, scheduleDefaults: () => undefined, create };
}

export const DENSE = fixedModule('dense', 'Dense training: no masks', createDense);

export const STATIC = fixedModule(
  'static',
  'Static sparse training: one random mask per layer at its allocated density, never changed',
  createStatic,
);
