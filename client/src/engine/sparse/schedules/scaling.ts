// Scaling reference schedule values to the run at hand (the rules are documented in ./defaults.ts). Shared by the
// method modules' schedule defaults.

/** ΔT = clamp(round(stepsPerEpoch / 2), 1, reference ΔT): the reference for long epochs, two updates per short one. */
export function scaledUpdateInterval(stepsPerEpoch: number, referenceInterval: number): number {
  return Math.min(referenceInterval, Math.max(1, Math.round(stepsPerEpoch / 2)));
}

/** The epoch that `referenceEpoch` of `referenceTotal` becomes in a run of `epochs`. */
export function scaledEpoch(epochs: number, referenceEpoch: number, referenceTotal: number): number {
  return Math.round((epochs * referenceEpoch) / referenceTotal);
}
