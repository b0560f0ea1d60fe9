// A method module says what a sparse-training method is: how it ranks weights to drop, how dropped weights come back,
// which schedule it follows with which defaults for a run, and how to build it. The registry lists the modules; the
// prune/grow work is done by the shared primitives (mask-update, prune-and-grow, scores) the implementations use.
import type { RunLength } from '../schedules/run-length.js';
import type { Schedule, ScheduleKind } from '../schedules/schema.js';
import type { MethodName, SparseTrainingMethod } from './types.js';

export interface ScheduleDefaultsInput extends RunLength {
  /** Overall target density of the maskable layers. */
  readonly density: number;
}

export interface MethodBuildOptions {
  /** Documented extensions, off by default (reference behaviour). */
  readonly extensions?: {
    /** MEST: scale the bounds per layer by its profile density (spec 2.9 recommendation). */
    readonly mestScaleBoundsByProfile?: boolean;
  };
}

/** What ranks active weights for dropping. */
export type PruneScore =
  | 'none'
  /** |w| (SET, RigL, ITOP; GMP/GraNet gradually towards the final density). */
  | 'magnitude'
  /** |w| + λ|∂L/∂w| (MEST). */
  | 'importance'
  /** |w| over whole shuffled blocks (DSB). */
  | 'block-magnitude'
  /** Bernoulli channel gates from learned scores (VRPGE). */
  | 'channel-scores';

/** How dropped weights come back. */
export type GrowthRule = 'none' | 'random' | 'gradient';

export interface MethodModule {
  readonly name: MethodName;
  /** What the method is, in a sentence (spec section in brackets). */
  readonly description: string;
  readonly prune: PruneScore;
  readonly growth: GrowthRule;
  /** The schedule kind the method follows; undefined: it takes no schedule. */
  readonly scheduleKind: ScheduleKind | undefined;
  /** The method's schedule fields scaled to the run (parsed by the caller); undefined without a schedule. */
  scheduleDefaults(run: ScheduleDefaultsInput): Record<string, unknown> | undefined;
  /** The method on a parsed schedule of `scheduleKind` (undefined for methods without one). */
  create(schedule: Schedule | undefined, options: MethodBuildOptions): SparseTrainingMethod;
  /** Whether the method replaces the trainer's forward/backward (customStep). */
  readonly replacesStep: boolean;
}

/** The schedule a module was given, checked against its kind (the registry checks first; this keeps types honest). */
export function scheduleOfKind<K extends ScheduleKind>(method: MethodName, kind: K, schedule: Schedule | undefined): Extract<Schedule, { kind: K }> {
  if (schedule?.kind !== kind) throw new Error(`${method}: needs a '${kind}' schedule, got ${schedule === undefined ? 'none' : `'${schedule.kind}'`}`);
  return schedule as Extract<Schedule, { kind: K }>;
}
