// A plausible, seeded training curve for the modelled engine: loss falls from ln(classes) towards a floor and
// accuracy rises from chance towards a ceiling, both exponentially in steps with a time constant of half an epoch,
// with seeded per-step noise. The ceiling drops a little at low density. A function of the step alone (and the
// seed), so a resumed run continues the same curve.
import { createRng, fnv1a } from '../../engine/util/rng.js';

export interface CurveSettings {
  readonly numClasses: number;
  readonly stepsPerEpoch: number;
  readonly density: number;
  /** Seeds the noise: the same seed and step give the same point. */
  readonly seed: number;
}

export interface CurvePoint {
  readonly loss: number;
  readonly accuracy: number;
}

const CEILING_DENSE = 0.9;
/** Accuracy lost at density d: CEILING_DENSITY_PENALTY × (1 - d)². */
const CEILING_DENSITY_PENALTY = 0.08;
const LOSS_FLOOR_FRACTION = 0.12;
const NOISE = 0.02;

export function curvePoint(settings: CurveSettings, step: number): CurvePoint {
  const chance = 1 / settings.numClasses;
  const ceiling = CEILING_DENSE - CEILING_DENSITY_PENALTY * (1 - settings.density) ** 2;
  const progress = 1 - Math.exp(-step / Math.max(1, settings.stepsPerEpoch / 2));
  const initialLoss = Math.log(settings.numClasses);
  const rng = createRng(fnv1a(`${settings.seed}/curve/${step}`));
  const loss = (initialLoss - (initialLoss - initialLoss * LOSS_FLOOR_FRACTION) * progress) * (1 + NOISE * rng.normal());
  const accuracy = chance + (ceiling - chance) * progress + NOISE * rng.normal();
  return { loss: Math.max(0, loss), accuracy: Math.min(1, Math.max(0, accuracy)) };
}
