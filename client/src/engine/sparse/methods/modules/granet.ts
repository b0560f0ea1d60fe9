// GraNet: sparse start (ERK at initDensity), cubic gradual pruning plus zero-cost neuroregeneration with gradient
// growth.
import { gradualModule } from './gradual-family.js';

export const GRANET = gradualModule({
  name: 'granet',
  description: 'GraNet: sparse start, cubic gradual pruning ranked across layers plus gradient regrowth (spec 3)',
  regenerate: true,
  ranking: 'global',
});

export const GRANET_UNIFORM = gradualModule({
  name: 'granet-uniform',
  description: 'GraNet ranked per layer: sparse start, cubic gradual pruning plus gradient regrowth (spec 3)',
  regenerate: true,
  ranking: 'uniform',
});
