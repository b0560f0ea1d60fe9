// Method lookup by name: fills the schedule from defaultScheduleFor when none is given, checks that the schedule's
// kind fits the method and that it fits the run, with errors that name the field.
import { defaultScheduleFor, METHOD_SCHEDULE_KIND } from '../schedules/defaults.js';
import { assertRunLength } from '../schedules/run-length.js';
import {
  ScheduleValidationError,
  type DsbSchedule,
  type DstSchedule,
  type GranetSchedule,
  type MestSchedule,
  type Schedule,
  type VrpgeSchedule,
} from '../schedules/schema.js';
import { createDense } from './dense.js';
import { createDsb } from './dsb.js';
import { createGmp } from './gmp.js';
import { createGranet } from './granet.js';
import { createItop } from './itop.js';
import { createMest } from './mest.js';
import { createRigl } from './rigl.js';
import { createSet } from './set.js';
import { createStatic } from './static.js';
import { MethodStateError } from './method-state.js';
import type { MethodContext, MethodName, MethodState, SparseTrainingMethod, StepInfo } from './types.js';
import { createVrpge } from './vrpge.js';

export interface CreateMethodOptions {
  readonly schedule?: Schedule;
  readonly epochs: number;
  readonly stepsPerEpoch: number;
  /** Overall target density; when absent (and no schedule is given) the default schedule is built from ctx.density. */
  readonly density?: number;
  /** Documented extensions, off by default (reference behaviour). */
  readonly extensions?: {
    /** MEST: scale the bounds per layer by its profile density (spec 2.9 recommendation). */
    readonly mestScaleBoundsByProfile?: boolean;
  };
}

export function createMethod(name: MethodName, options: CreateMethodOptions): SparseTrainingMethod {
  assertRunLength(options);
  const kind = METHOD_SCHEDULE_KIND[name];
  if (kind === undefined) {
    if (options.schedule !== undefined) {
      fail(`schedule.kind`, `method '${name}' takes no schedule, got '${options.schedule.kind}'`);
    }
    return name === 'dense' ? createDense() : createStatic();
  }
  if (options.schedule !== undefined) {
    if (options.schedule.kind !== kind) fail('schedule.kind', `method '${name}' needs a '${kind}' schedule, got '${options.schedule.kind}'`);
    return build(name, checkFitsRun(options.schedule, options), options);
  }
  if (options.density !== undefined) {
    return build(name, defaultScheduleFor(name, { ...options, density: options.density }) as Schedule, options);
  }
  return deferred(name, options);
}

function build(name: MethodName, schedule: Schedule, options: CreateMethodOptions): SparseTrainingMethod {
  switch (name) {
    case 'rigl':
      return createRigl(schedule as DstSchedule);
    case 'set':
      return createSet(schedule as DstSchedule);
    case 'itop':
      return createItop(schedule as DstSchedule);
    case 'gmp':
    case 'gmp-uniform':
      return createGmp(schedule as GranetSchedule, name);
    case 'granet':
    case 'granet-uniform':
      return createGranet(schedule as GranetSchedule, name);
    case 'mest-em':
    case 'mest-ems':
      return createMest(name, schedule as MestSchedule, { scaleBoundsByProfile: options.extensions?.mestScaleBoundsByProfile });
    case 'dsb':
    case 'ssb':
      return createDsb(name, schedule as DsbSchedule);
    case 'vrpge':
      return createVrpge(schedule as VrpgeSchedule);
    case 'dense':
      return createDense();
    case 'static':
      return createStatic();
  }
}

/** Run-dependent checks a schedule alone cannot make. */
function checkFitsRun(schedule: Schedule, run: { epochs: number; stepsPerEpoch: number }): Schedule {
  if (schedule.kind === 'vrpge' && schedule.finetuneEpochs >= run.epochs) {
    fail('vrpge.finetuneEpochs', `must be < epochs (${run.epochs}): the fine-tune phase is the end of the run`);
  }
  if (schedule.kind === 'granet' && schedule.initPruneEpoch * schedule.multiplier >= run.epochs) {
    fail('granet.initPruneEpoch', `the pruning window starts at epoch ${schedule.initPruneEpoch * schedule.multiplier}, after the run's ${run.epochs} epochs`);
  }
  return schedule;
}

function fail(path: string, message: string): never {
  throw new ScheduleValidationError([{ path, message }]);
}

/** No schedule and no density: build the default schedule from the context at initialisation. */
function deferred(name: MethodName, options: CreateMethodOptions): SparseTrainingMethod {
  let inner: SparseTrainingMethod | undefined;
  const get = (): SparseTrainingMethod => {
    if (!inner) throw new Error(`${name}: initialize must be called before any other hook`);
    return inner;
  };
  const method: SparseTrainingMethod = {
    name,
    get masksGradients() {
      return inner?.masksGradients ?? true;
    },
    initialize(ctx: MethodContext) {
      const run = { epochs: ctx.epochs, stepsPerEpoch: ctx.stepsPerEpoch, totalSteps: ctx.totalSteps, density: ctx.density };
      inner = build(name, defaultScheduleFor(name, run) as Schedule, options);
      inner.initialize(ctx);
    },
    needsDenseGradient: (info: StepInfo) => get().needsDenseGradient(info),
    onEpochStart: (info, ctx) => get().onEpochStart?.(info, ctx),
    afterStep: (info, ctx) => get().afterStep?.(info, ctx),
    weightLearningRate: (info, scheduled) => get().weightLearningRate?.(info, scheduled) ?? scheduled,
    onTrainingEnd: (ctx) => get().onTrainingEnd?.(ctx),
    exportState: () => get().exportState?.() ?? {},
    importState: (state: MethodState, ctx: MethodContext) => {
      const target = get();
      if (target.importState) target.importState(state, ctx);
      else if (Object.keys(state).length > 0) throw new MethodStateError(name, 'this method keeps no state');
    },
  };
  // Only VRPGE replaces the step; the trainer checks for the hook's presence before initialize.
  if (name === 'vrpge') {
    method.customStep = (info, ctx, step) => {
      const custom = get().customStep;
      if (!custom) throw new Error('vrpge: customStep missing');
      return custom(info, ctx, step);
    };
  }
  return method;
}
