// Learning-rate schedules as pure functions of the optimizer step. Schedules advance per step (not per epoch) so
// that short edge runs of one or two epochs still anneal.
export interface LrScheduleConfig {
  readonly lr: number;
  readonly lrSchedule: 'constant' | 'cosine' | 'multistep';
  readonly etaMin: number;
  /** Fractions of the run at which multistep multiplies the lr by gamma. */
  readonly milestones: readonly number[];
  readonly gamma: number;
}

export function learningRateAt(config: LrScheduleConfig, step: number, totalSteps: number): number {
  const progress = totalSteps <= 0 ? 0 : Math.min(1, Math.max(0, step / totalSteps));
  switch (config.lrSchedule) {
    case 'constant':
      return config.lr;
    case 'cosine':
      return config.etaMin + ((config.lr - config.etaMin) * (1 + Math.cos(Math.PI * progress))) / 2;
    case 'multistep': {
      const passed = config.milestones.filter((milestone) => progress >= milestone).length;
      return config.lr * config.gamma ** passed;
    }
  }
}
