// SET: drop by magnitude (pruneMode 'magnitude', RigL's SET) or by SET's magnitude-and-negativity (pruneMode 'set'),
// grow uniformly at random; no dense gradient needed. Same defaults as RigL otherwise.
import { dstModule } from './dst-family.js';

export const SET = dstModule({
  name: 'set',
  description: 'SET: every ΔT steps drop the smallest |w| and grow as many at random positions (spec 1.2)',
  growth: 'random',
  endFraction: 0.75,
  dropFraction: 0.3,
});
