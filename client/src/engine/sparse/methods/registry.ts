// Method lookup by name, through the method modules: fills the schedule from defaultScheduleFor when none is given,
// checks that the schedule's kind fits the method and that it fits the run, with errors that name the field.
import { defaultScheduleFor, METHOD_SCHEDULE_KIND } from '../schedules/defaults.js';
import { assertRunLength } from '../schedules/run-length.js';
import { ScheduleValidationError, type Schedule } from '../schedules/schema.js';
import type { MethodBuildOptions } from './method-module.js';
import { MethodStateError } from './method-state.js';
import { methodModule } from './modules/index.js';
import type { MethodContext, MethodName, MethodState, SparseTrainingMethod, StepInfo } from './types.js';

export interface CreateMethodOptions extends MethodBuildOptions {
  readonly schedule?: Schedule;
  readonly epochs: number;
  readonly stepsPerEpoch: number;
  /** Overall target density; when absent (and no schedule is given) the default schedule is built from ctx.density. */
  readonly density?: number;
}

export function createMethod(name: MethodName, options: CreateMethodOptions): SparseTrainingMethod {
  assertRunLength(options);
  const kind = METHOD_SCHEDULE_KIND[name];
  if (kind === undefined) {
    if (options.schedule !== undefined) {
      fail(`schedule.kind`, `method '${name}' takes no schedule, got '${options.schedule.kind}'`);
    }
    return build(name, undefined, options);
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

function build(name: MethodName, schedule: Schedule | undefined, options: CreateMethodOptions): SparseTrainingMethod {
  return methodModule(name).create(schedule, options);
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
  // The trainer checks for the hook's presence before initialize.
  if (methodModule(name).replacesStep) {
    method.customStep = (info, ctx, step) => {
      const custom = get().customStep;
      if (!custom) throw new Error(`${name}: customStep missing`);
      return custom(info, ctx, step);
    };
  }
  return method;
}
