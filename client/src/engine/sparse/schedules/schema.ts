// Schedules are data: a zod discriminated union on `kind` that the coordinator validates, sends as protobuf
// (proto/sparsefleet/v1/schedule.proto) and the agent follows. Every field has the reference default (spec
// sections 1.2, 2, 3, 4, 5); `defaultScheduleFor` (./defaults.ts) scales them to a run's length.
import { z } from 'zod';
import { DEFAULT_SHUFFLED_BLOCK_SIDE } from '../schemes/descriptors.js';

const finite = z.number({ error: 'must be a number' }).refine(Number.isFinite, 'must be finite');
const positiveInt = z.number({ error: 'must be a number' }).int('must be an integer').gte(1, 'must be >= 1');
const nonNegativeInt = z.number({ error: 'must be a number' }).int('must be an integer').gte(0, 'must be >= 0');
const fraction = finite.check(z.gte(0, 'must be in [0,1]'), z.lte(1, 'must be in [0,1]'));
const density = finite.check(z.gt(0, 'must be in (0,1]'), z.lte(1, 'must be in (0,1]'));
const sparsity = finite.check(z.gte(0, 'must be in [0,1)'), z.lt(1, 'must be in [0,1)'));
const positive = finite.check(z.gt(0, 'must be > 0'));
const nonNegative = finite.check(z.gte(0, 'must be >= 0'));

function oneOf<const T extends readonly [string, ...string[]]>(values: T) {
  return z.enum(values, { error: () => `must be one of ${values.join(', ')}` });
}

/** MEST-style lists: "0.92-0.91-0.9", a single number, or an array. Strings are split on '-' (no negatives). */
function dashList<T extends z.ZodType>(item: T) {
  return z.preprocess(
    (value) => {
      if (typeof value === 'number') return [value];
      if (typeof value === 'string') return value.split('-').map((part) => (part.trim() === '' ? Number.NaN : Number(part)));
      return value;
    },
    z.array(item, { error: 'must be a number, an array of numbers or a "a-b-c" string' }),
  );
}

export const PRUNE_MODES = ['magnitude', 'set'] as const;
export const GROWTH_MODES = ['random', 'gradient', 'momentum'] as const;
export const REDISTRIBUTION_MODES = ['none', 'magnitude', 'nonzeros'] as const;
export const GROW_INITS = ['zeros', 'keep'] as const;
export const SCORE_DENOMINATORS = ['sqrt', 'variance'] as const;
export const SCHEDULE_KINDS = ['dst', 'granet', 'mest', 'dsb', 'vrpge'] as const;

export type PruneMode = (typeof PRUNE_MODES)[number];
export type GrowthMode = (typeof GROWTH_MODES)[number];
export type RedistributionMode = (typeof REDISTRIBUTION_MODES)[number];
export type GrowInit = (typeof GROW_INITS)[number];
export type ScoreDenominator = (typeof SCORE_DENOMINATORS)[number];
export type ScheduleKind = (typeof SCHEDULE_KINDS)[number];

/** RigL drop-fraction decay; a bare string ('cosine') is accepted as shorthand for `{ kind: 'cosine' }`. */
export const decaySchema = z.preprocess(
  (value) => (typeof value === 'string' ? { kind: value } : value),
  z.discriminatedUnion(
    'kind',
    [
      z.object({ kind: z.literal('constant') }).strict(),
      z.object({ kind: z.literal('cosine') }).strict(),
      z.object({ kind: z.literal('exponential'), exponent: positive.default(1) }).strict(),
    ],
    { error: 'must be constant, cosine or exponential' },
  ),
);
export type DropFractionDecay = z.output<typeof decaySchema>;

/** RigL / SET / ITOP (GraNet's DST): update every ΔT steps in [beginStep, end]. */
export const dstScheduleSchema = z
  .object({
    kind: z.literal('dst'),
    updateInterval: positiveInt.default(100),
    beginStep: nonNegativeInt.default(0),
    /** Absolute end step; when absent the end is `endFraction` of the run. */
    endStep: positiveInt.optional(),
    endFraction: finite.check(z.gt(0, 'must be in (0,1]'), z.lte(1, 'must be in (0,1]')).default(0.75),
    dropFraction: fraction.default(0.3),
    decay: decaySchema.default({ kind: 'cosine' }),
    pruneMode: oneOf(PRUNE_MODES).default('magnitude'),
    growth: oneOf(GROWTH_MODES).default('gradient'),
    redistribution: oneOf(REDISTRIBUTION_MODES).default('none'),
    growInit: oneOf(GROW_INITS).default('zeros'),
  })
  .strict()
  .superRefine((s, ctx) => {
    if (s.endStep !== undefined && s.endStep <= s.beginStep) {
      ctx.addIssue({ code: 'custom', path: ['endStep'], message: `must be > beginStep (${s.beginStep})` });
    }
  });

/** GraNet / GMP: cubic gradual pruning between two epochs plus cosine-decaying regeneration. */
export const granetScheduleSchema = z
  .object({
    kind: z.literal('granet'),
    initDensity: density.default(0.5),
    finalDensity: density.default(0.1),
    initPruneEpoch: nonNegative.default(0),
    finalPruneEpoch: nonNegative.default(110),
    updateInterval: positiveInt.default(100),
    regenerationRate: fraction.default(0.5),
    regenerationMin: fraction.default(0.005),
    multiplier: positive.default(1),
    pruneMode: oneOf(PRUNE_MODES).default('magnitude'),
    growth: oneOf(GROWTH_MODES).default('gradient'),
    redistribution: oneOf(REDISTRIBUTION_MODES).default('none'),
    regenerate: z.boolean({ error: 'must be true or false' }).default(true),
  })
  .strict()
  .superRefine((s, ctx) => {
    if (s.initDensity < s.finalDensity) {
      ctx.addIssue({ code: 'custom', path: ['initDensity'], message: `must be >= finalDensity (${s.finalDensity})` });
    }
    if (s.finalPruneEpoch <= s.initPruneEpoch) {
      ctx.addIssue({ code: 'custom', path: ['finalPruneEpoch'], message: `must be > initPruneEpoch (${s.initPruneEpoch})` });
    }
    if (s.regenerationMin > s.regenerationRate) {
      ctx.addIssue({ code: 'custom', path: ['regenerationMin'], message: `must be <= regenerationRate (${s.regenerationRate})` });
    }
  });

/** MEST elastic mutation: bounds are sparsities (lower = prune-to, upper = grow-to), one entry per phase. */
export const mestScheduleSchema = z
  .object({
    kind: z.literal('mest'),
    lowerBound: dashList(sparsity).default([0.92, 0.91, 0.9]),
    upperBound: dashList(sparsity).default([0.9, 0.9, 0.9]),
    decayEpochs: dashList(nonNegativeInt).default([90, 120]),
    updateFrequency: positiveInt.default(5),
    importanceLambda: nonNegative.default(0),
  })
  .strict()
  .superRefine((s, ctx) => {
    if (s.lowerBound.length === 0) ctx.addIssue({ code: 'custom', path: ['lowerBound'], message: 'must not be empty' });
    if (s.upperBound.length !== s.lowerBound.length) {
      ctx.addIssue({
        code: 'custom',
        path: ['upperBound'],
        message: `must have as many entries as lowerBound (${s.lowerBound.length}), got ${s.upperBound.length}`,
      });
    }
    const phases = Math.min(s.lowerBound.length, s.upperBound.length);
    for (let i = 0; i < phases; i++) {
      if (s.upperBound[i] > s.lowerBound[i]) {
        ctx.addIssue({ code: 'custom', path: ['upperBound', i], message: `must be <= lowerBound[${i}] (${s.lowerBound[i]})` });
      }
    }
    for (let i = 1; i < s.decayEpochs.length; i++) {
      if (s.decayEpochs[i] <= s.decayEpochs[i - 1]) {
        ctx.addIssue({ code: 'custom', path: ['decayEpochs', i], message: `must be > decayEpochs[${i - 1}] (${s.decayEpochs[i - 1]})` });
      }
    }
  });

/** DSB (dynamic) / SSB (staticMask) shuffled blocks. */
export const dsbScheduleSchema = z
  .object({
    kind: z.literal('dsb'),
    updateInterval: positiveInt.default(100),
    endStep: positiveInt.optional(),
    endFraction: finite.check(z.gt(0, 'must be in (0,2]'), z.lte(2, 'must be in (0,2]')).default(0.75),
    dropFraction: fraction.default(0.3),
    blockSize: positiveInt.default(DEFAULT_SHUFFLED_BLOCK_SIDE),
    staticMask: z.boolean({ error: 'must be true or false' }).default(false),
    /** Reference CIFAR quirk: update only while step < T_end / 2. */
    referenceHalfWindow: z.boolean({ error: 'must be true or false' }).default(false),
  })
  .strict();

/** VRPGE channel sampling. */
export const vrpgeScheduleSchema = z
  .object({
    kind: z.literal('vrpge'),
    samples: positiveInt.check(z.gte(2, 'must be >= 2 (the estimator needs two samples)')).default(2),
    keepFraction: density.default(0.5),
    scoreLearningRate: positive.default(12e-3),
    scoreInit: finite.check(z.gt(0, 'must be in (0,1]'), z.lte(1, 'must be in (0,1]')).default(0.5),
    clipNorm: positive.default(3),
    finetuneEpochs: nonNegativeInt.default(40),
    finetuneLearningRate: positive.default(0.001),
    scoreDenominator: oneOf(SCORE_DENOMINATORS).default('sqrt'),
  })
  .strict();

export const scheduleSchema = z.discriminatedUnion(
  'kind',
  [dstScheduleSchema, granetScheduleSchema, mestScheduleSchema, dsbScheduleSchema, vrpgeScheduleSchema],
  { error: `kind: must be one of ${SCHEDULE_KINDS.join(', ')}` },
);

export { scheduleFromProto, scheduleToProto } from './proto.js';

export type Schedule = z.output<typeof scheduleSchema>;
/** What a YAML recipe may contain: every field but `kind` optional. */
export type ScheduleInput = z.input<typeof scheduleSchema>;
export type DstSchedule = Extract<Schedule, { kind: 'dst' }>;
export type GranetSchedule = Extract<Schedule, { kind: 'granet' }>;
export type MestSchedule = Extract<Schedule, { kind: 'mest' }>;
export type DsbSchedule = Extract<Schedule, { kind: 'dsb' }>;
export type VrpgeSchedule = Extract<Schedule, { kind: 'vrpge' }>;

export interface ScheduleIssue {
  /** Dotted path starting with the schedule kind, e.g. `mest.lowerBound[1]`. */
  readonly path: string;
  readonly message: string;
}

export class ScheduleValidationError extends Error {
  constructor(readonly issues: readonly ScheduleIssue[]) {
    super(issues.map((issue) => `${issue.path}: ${issue.message}`).join('; '));
    this.name = 'ScheduleValidationError';
  }
}

/** Formats a zod path as `a.b[1].c`. */
export function formatIssuePath(prefix: string, path: readonly PropertyKey[]): string {
  let out = prefix;
  for (const part of path) {
    if (typeof part === 'number') out += `[${part}]`;
    else out += out === '' ? String(part) : `.${String(part)}`;
  }
  return out;
}

/** Validates a schedule object (e.g. parsed YAML) and fills reference defaults; errors name the field path. */
export function parseSchedule(input: unknown): Schedule {
  const result = scheduleSchema.safeParse(input);
  if (result.success) return result.data;
  const kind =
    typeof input === 'object' && input !== null && typeof (input as { kind?: unknown }).kind === 'string'
      ? (input as { kind: string }).kind
      : '';
  const known = (SCHEDULE_KINDS as readonly string[]).includes(kind);
  const issues: ScheduleIssue[] = [];
  for (const issue of result.error.issues) {
    if (!known) {
      issues.push({ path: formatIssuePath('schedule', issue.path.length ? issue.path : ['kind']), message: issue.message.replace(/^kind: /, '') });
    } else if (issue.code === 'unrecognized_keys') {
      for (const key of issue.keys) issues.push({ path: formatIssuePath(kind, [...issue.path, key]), message: 'unknown field' });
    } else {
      issues.push({ path: formatIssuePath(kind, issue.path), message: issue.message });
    }
  }
  throw new ScheduleValidationError(issues);
}
