// The run a schedule is applied to. Steps are optimizer steps; `step` arguments below are "steps completed so far"
// (the `info.step` a method's afterStep receives), epochs are 0-based.

export interface RunLength {
  readonly epochs: number;
  readonly stepsPerEpoch: number;
  /** Steps the run will really take when capped below epochs × stepsPerEpoch (MethodContext.totalSteps). */
  readonly totalSteps?: number;
  /** Where (possibly fractional) epoch `epoch` starts in steps; absent = epoch × stepsPerEpoch (MethodContext). */
  readonly epochStartStep?: (epoch: number) => number;
}

/** The step at which (possibly fractional) `epoch` starts. */
export function epochStartStep(run: RunLength, epoch: number): number {
  return run.epochStartStep?.(epoch) ?? epoch * run.stepsPerEpoch;
}

export function totalSteps(run: RunLength): number {
  return run.totalSteps ?? run.epochs * run.stepsPerEpoch;
}

export function assertRunLength(run: RunLength): void {
  if (!Number.isInteger(run.epochs) || run.epochs < 1) throw new RangeError(`epochs must be an integer >= 1, got ${run.epochs}`);
  if (!Number.isInteger(run.stepsPerEpoch) || run.stepsPerEpoch < 1) {
    throw new RangeError(`stepsPerEpoch must be an integer >= 1, got ${run.stepsPerEpoch}`);
  }
}
