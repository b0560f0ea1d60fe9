// GMP (Zhu & Gupta as in GraNet): dense start, cubic gradual magnitude pruning, no regeneration.
import { gradualModule } from './gradual-family.js';

export const GMP = gradualModule({
  name: 'gmp',
  description: 'GMP: dense start, cubic gradual magnitude pruning ranked across layers, no regrowth (spec 3)',
  regenerate: false,
  ranking: 'global',
});

export const GMP_UNIFORM = gradualModule({
  name: 'gmp-uniform',
  description: 'GMP ranked per layer: dense start, cubic gradual magnitude pruning, no regrowth (spec 3)',
  regenerate: false,
  ranking: 'uniform',
});
