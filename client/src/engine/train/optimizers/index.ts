import type { Parameter } from '../../models/parameter.js';
import type { OptimizerConfig } from '../config.js';
import { Adam } from './adam.js';
import { Sgd } from './sgd.js';
import type { Optimizer } from './types.js';

export { Adam } from './adam.js';
export { Sgd } from './sgd.js';
export { learningRateAt, type LrScheduleConfig } from './lr-schedule.js';
export type { GradientMap, Optimizer, OptimizerOptions } from './types.js';

export function createOptimizer(config: OptimizerConfig, parameters: readonly Parameter[]): Optimizer {
  const options = { parameters, momentum: config.momentum, nesterov: config.nesterov, weightDecay: config.weightDecay };
  return config.kind === 'adam' ? new Adam(options) : new Sgd(options);
}
