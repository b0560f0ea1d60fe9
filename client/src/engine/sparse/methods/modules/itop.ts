// ITOP as GraNet's `DST` method: regeneration only, from step 0 to the end of the run, magnitude drop and random
// growth, with a cosine-decaying drop fraction (α = 0.5, GraNet's --prune-rate, over the whole run; the reference
// decays to η_min = 0.005 rather than 0 — negligible). Expressed as a dst schedule, so it shares RigL's driver.
import { dstModule } from './dst-family.js';

export const ITOP = dstModule({
  name: 'itop',
  description: "ITOP (GraNet's DST): magnitude drop and random regrowth over the whole run, α 0.5 (spec 1.2)",
  growth: 'random',
  endFraction: 1,
  dropFraction: 0.5,
});
