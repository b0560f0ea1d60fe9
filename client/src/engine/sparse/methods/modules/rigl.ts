// RigL: drop the smallest |w|, grow the largest dense |∂L/∂w|; α 0.3, cosine decay, updates end at 75% of the run.
import { dstModule } from './dst-family.js';

export const RIGL = dstModule({
  name: 'rigl',
  description: 'RigL: every ΔT steps drop the smallest |w| and grow as many by the largest dense |∂L/∂w| (spec 1.2)',
  growth: 'gradient',
  endFraction: 0.75,
  dropFraction: 0.3,
});
