// The input of one training run. Pure (zod only, no tfjs): the coordinator validates job specs with it, the CLI
// builds it from flags, the agent from a TrainingJobSpec (see ./job-spec.ts).
import { z } from 'zod';
import { MODEL_NAMES, type ModelName } from '../models/catalog.js';
import type { MethodName } from '../sparse/methods/types.js';
import { DATASET_NAMES, NOMINAL_TRAIN_SIZE, type DatasetName, type LoadDatasetsSpec } from '../data/types.js';
import { schemeNameSchema } from '../sparse/schemes/name-schema.js';
import { METHOD_MODULES } from '../sparse/methods/modules/index.js';
import { METHOD_SCHEDULE_KIND, parseScheduleForRun } from '../sparse/schedules/defaults.js';
import { ScheduleValidationError, type Schedule } from '../sparse/schedules/schema.js';

/** Every method, in the method modules' order. */
export const METHOD_NAMES: readonly MethodName[] = METHOD_MODULES.map((module) => module.name);

export const BACKEND_NAMES = ['tensorflow', 'wasm', 'cpu'] as const;
export const ALLOCATION_NAMES = ['erk', 'uniform', 'profile'] as const;
export const OPTIMIZER_NAMES = ['sgd', 'adam'] as const;
export const LR_SCHEDULE_NAMES = ['constant', 'cosine', 'multistep'] as const;
/** How sparse layers compute: masked dense tfjs ops, or compressed weights on the WASM SIMD kernels. */
export const COMPUTE_NAMES = ['masked-dense', 'sparse-kernels'] as const;

export type ComputeName = (typeof COMPUTE_NAMES)[number];

export type AllocationName = (typeof ALLOCATION_NAMES)[number];

const positiveInt = z.number().int('must be an integer').gte(1, 'must be >= 1');
const nonNegativeInt = z.number().int('must be an integer').gte(0, 'must be >= 0');
const uint32 = nonNegativeInt.lte(0xffffffff, 'must fit in 32 bits');

function oneOf<const T extends readonly [string, ...string[]]>(values: T) {
  return z.enum(values, { error: () => `must be one of ${values.join(', ')}` });
}

/** The catalog's name lists typed as non-empty tuples, so z.enum infers the literal unions. */
function nonEmpty<T extends string>(values: readonly T[]): readonly [T, ...T[]] {
  return values as unknown as readonly [T, ...T[]];
}

export const dataConfigSchema = z
  .object({
    name: oneOf(nonEmpty<DatasetName>(DATASET_NAMES)).default('fashion-mnist'),
    path: z.string().min(1, 'must not be empty').optional(),
    trainLimit: positiveInt.optional(),
    testLimit: positiveInt.optional(),
    shardIndex: uint32.default(0),
    shardCount: positiveInt.default(1),
    augment: z.boolean().default(false),
  })
  .strict();

export const optimizerConfigSchema = z
  .object({
    kind: oneOf(OPTIMIZER_NAMES).default('sgd'),
    lr: z.number().gt(0, 'must be > 0').default(0.05),
    /** SGD momentum, or Adam's beta1. */
    momentum: z.number().gte(0, 'must be >= 0').lt(1, 'must be < 1').default(0.9),
    nesterov: z.boolean().default(false),
    /** Coupled L2 weight decay (added to the gradient), as torch.optim.SGD/Adam. Never applied to BN or biases. */
    weightDecay: z.number().gte(0, 'must be >= 0').default(5e-4),
    lrSchedule: oneOf(LR_SCHEDULE_NAMES).default('cosine'),
    /** Cosine floor. */
    etaMin: z.number().gte(0, 'must be >= 0').default(0),
    /** Multistep: epochs at which the lr is multiplied by `gamma`, as fractions of the run (0.5 = half-way). */
    milestones: z.array(z.number().gt(0, 'must be > 0').lt(1, 'must be < 1')).default([0.5, 0.75]),
    gamma: z.number().gt(0, 'must be > 0').lte(1, 'must be <= 1').default(0.1),
    /** Clip the global L2 norm of all gradients to this value. */
    clipNorm: z.number().gt(0, 'must be > 0').optional(),
  })
  .strict();

export const dataEfficiencySchema = z
  .object({
    removeCount: uint32,
    removeEpoch: uint32,
    keepLowest: uint32.default(0),
  })
  .strict();

const trainConfigObject = z
  .object({
    model: oneOf(nonEmpty<ModelName>(MODEL_NAMES)).default('mlp'),
    data: dataConfigSchema.default(() => dataConfigSchema.parse({})),
    method: oneOf(nonEmpty<MethodName>(METHOD_NAMES)).default('dense'),
    /** A scheme's canonical name or an alias ('block4'), read as the canonical name. */
    scheme: schemeNameSchema.default('irregular'),
    /** Overall density of the maskable layers; defaults to 1 for 'dense' and 0.1 otherwise. */
    density: z.number().gt(0, 'must be in (0, 1]').lte(1, 'must be in (0, 1]').optional(),
    allocation: oneOf(ALLOCATION_NAMES).default('erk'),
    /** MEST-format per-layer profile (YAML text); required when allocation is 'profile'. */
    profile: z.string().min(1, 'must not be empty').optional(),
    /**
     * A schedule recipe: `kind` plus any fields. Fields left out get defaults scaled to this run's length (see
     * sparse/schedules/defaults.ts), so a partial recipe written for a 160-epoch run still fits a 3-epoch job.
     */
    schedule: z.record(z.string(), z.unknown(), { error: 'must be a mapping with a kind' }).optional(),
    optimizer: optimizerConfigSchema.default(() => optimizerConfigSchema.parse({})),
    batchSize: positiveInt.lte(65536, 'must be <= 65536').default(64),
    epochs: positiveInt.lte(100000, 'must be <= 100000').default(1),
    seed: uint32.default(1),
    maxSteps: positiveInt.optional(),
    /** A browser agent holds the run between steps while its page is hidden (other agents ignore it). */
    pauseWhenHidden: z.boolean().optional(),
    backend: oneOf(BACKEND_NAMES).optional(),
    /** Unset: 'sparse-kernels' for sparse methods where WebAssembly SIMD is available, else 'masked-dense'. */
    compute: oneOf(COMPUTE_NAMES).optional(),
    /**
     * Threads the sparse kernels may use, the calling thread included: 'auto' (default) = the device's cores, at most 8,
     * splitting only calls of at least AUTO_MIN_PARALLEL_WORK (a step of short calls runs on one thread); N splits
     * every call from MIN_PARALLEL_WORK. Runs one thread where shared memory or workers are missing (the result says so).
     */
    threads: z.union([z.literal('auto'), positiveInt.lte(64, 'must be <= 64')]).optional(),
    erkPowerScale: z.number().gt(0, 'must be > 0').default(1),
    dataEfficiency: dataEfficiencySchema.optional(),
  })
  .strict();

export const trainConfigSchema = trainConfigObject
  .superRefine((config, ctx) => {
    if (config.data.shardIndex >= config.data.shardCount) {
      ctx.addIssue({ code: 'custom', path: ['data', 'shardIndex'], message: 'must be < data.shardCount' });
    }
    const scheduleKind = METHOD_SCHEDULE_KIND[config.method];
    if (config.schedule !== undefined && config.schedule.kind !== scheduleKind) {
      const expected = scheduleKind === undefined ? 'takes no schedule' : `needs a '${scheduleKind}' schedule`;
      ctx.addIssue({ code: 'custom', path: ['schedule', 'kind'], message: `method '${config.method}' ${expected}` });
    }
    if (config.allocation === 'profile' && config.profile === undefined) {
      ctx.addIssue({ code: 'custom', path: ['profile'], message: "required when allocation is 'profile'" });
    }
    if (config.dataEfficiency && config.dataEfficiency.removeEpoch >= config.epochs && config.dataEfficiency.removeCount > 0) {
      ctx.addIssue({ code: 'custom', path: ['dataEfficiency', 'removeEpoch'], message: 'must be < epochs' });
    }
  })
  .transform((config, ctx) => {
    const density = config.density ?? (config.method === 'dense' ? 1 : 0.1);
    return { ...config, density, schedule: resolveSchedule(config, density, ctx) };
  });

/** Steps per epoch the run will take, from the nominal data-set size, the limit, the shard count and the batch. */
function estimatedStepsPerEpoch(config: z.output<typeof trainConfigObject>): number {
  const size = Math.min(config.data.trainLimit ?? Infinity, NOMINAL_TRAIN_SIZE[config.data.name]);
  return Math.max(1, Math.ceil(Math.ceil(size / config.data.shardCount) / config.batchSize));
}

function resolveSchedule(
  config: z.output<typeof trainConfigObject>,
  density: number,
  ctx: z.RefinementCtx,
): Schedule | undefined {
  if (config.schedule === undefined) return undefined;
  const stepsPerEpoch = estimatedStepsPerEpoch(config);
  const fullRun = config.epochs * stepsPerEpoch;
  try {
    return parseScheduleForRun(config.schedule, config.method, {
      epochs: config.epochs,
      stepsPerEpoch,
      totalSteps: Math.min(fullRun, config.maxSteps ?? fullRun),
      density,
    });
  } catch (error) {
    if (!(error instanceof ScheduleValidationError)) throw error;
    for (const issue of error.issues) {
      // Issue paths start with the schedule kind ("granet.finalDensity"); report them under `schedule`.
      const rest = issue.path.split('.').slice(1).join('.');
      ctx.addIssue({ code: 'custom', path: ['schedule', ...(rest === '' ? [] : [rest])], message: issue.message });
    }
    return z.NEVER;
  }
}

export type TrainConfig = z.output<typeof trainConfigSchema>;
export type TrainConfigInput = z.input<typeof trainConfigSchema>;
export type OptimizerConfig = TrainConfig['optimizer'];
export type DataConfig = TrainConfig['data'];

/** A config that failed validation; `issues` are `path: message` lines, e.g. `optimizer.lr: must be > 0`. */
export class TrainConfigError extends Error {
  constructor(readonly issues: readonly string[]) {
    super(`invalid training config: ${issues.join('; ')}`);
    this.name = 'TrainConfigError';
  }
}

function formatIssuePath(path: readonly PropertyKey[]): string {
  let text = '';
  for (const key of path) {
    if (typeof key === 'number') text += `[${key}]`;
    else text += text === '' ? String(key) : `.${String(key)}`;
  }
  return text === '' ? '(root)' : text;
}

export function formatZodError(error: z.ZodError): string[] {
  return error.issues.map((issue) => {
    // Unknown keys are reported at the parent; name them so the user sees which flag/field is wrong.
    if (issue.code === 'unrecognized_keys') {
      return issue.keys.map((key) => `${formatIssuePath([...issue.path, key])}: unknown field`).join('; ');
    }
    return `${formatIssuePath(issue.path)}: ${issue.message}`;
  });
}

export function parseTrainConfig(input: unknown): TrainConfig {
  const result = trainConfigSchema.safeParse(input ?? {});
  if (!result.success) throw new TrainConfigError(formatZodError(result.error));
  return result.data;
}

/** What `config` trains and tests on, as the data loader (and a dataset shard) takes it. */
export function datasetSpecOf(config: TrainConfig): LoadDatasetsSpec {
  return {
    name: config.data.name,
    path: config.data.path,
    trainLimit: config.data.trainLimit,
    testLimit: config.data.testLimit,
    shardIndex: config.data.shardIndex,
    shardCount: config.data.shardCount,
    seed: config.seed,
  };
}
