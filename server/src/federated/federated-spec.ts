// REST input for a federated job (issue 18): the base training config every client trains with (validated by the
// engine's own TrainConfig schema), the round plan (rounds, client population, fraction and minimum per round,
// over-selection, local work, deadline), the data partition, the mask mode, the server optimizer and the update's
// value encoding. Validated once; the stored spec is what rounds are planned from, across restarts.
import { z } from 'zod';
import { estimateTrainingMemory, trainConfigSchema, trainConfigToJobSpec, type MemoryEstimate } from '../../../client/src/engine/spec.js';
import type { TrainingJobSpec } from '../../../protocol/src/index.js';
import { InvalidInputError, parseZod } from '../common/validation.js';
import { jobSelectorSchema, type JobSelector } from '../jobs/job-selector.js';
import type { FederatedShardSummary } from './federated-lab.js';

export const FEDERATED_MASK_MODES = ['fixed', 'consensus', 'method'] as const;
export const FEDERATED_PARTITIONS = ['iid', 'dirichlet'] as const;
export const SERVER_OPTIMIZERS = ['fedavg', 'fedavgm', 'fedadam'] as const;
export const UPDATE_DTYPES = ['f32', 'f16', 'int8'] as const;

const positiveInt = (max: number) => z.number().int('must be an integer').gte(1, 'must be >= 1').lte(max, `must be <= ${max}`);
const oneOf = <T extends readonly [string, ...string[]]>(values: T) => z.enum(values, { error: () => `must be one of ${values.join(', ')}` });

export const federatedSubmissionSchema = z
  .object({
    name: z.string().trim().min(1, 'must not be empty').max(200, 'must be at most 200 characters').optional(),
    config: trainConfigSchema,
    rounds: positiveInt(10_000),
    /** The client population: the training split is cut into this many shards. */
    clients: positiveInt(100_000),
    /** Updates a round waits for, as a fraction of the population (K = max(minClients, ceil(fraction × clients))). */
    fraction: z.number().gt(0, 'must be > 0').lte(1, 'must be <= 1').default(1),
    minClients: positiveInt(100_000).default(1),
    /** Clients selected per round = ceil(K × overSelect): stragglers and drop-outs do not hold the round up. */
    overSelect: z.number().gte(1, 'must be >= 1').lte(4, 'must be <= 4').default(1),
    local: z
      .object({ steps: positiveInt(1_000_000).optional(), epochs: positiveInt(1000).optional() })
      .strict()
      .refine((local) => (local.steps === undefined) !== (local.epochs === undefined), 'give exactly one of steps and epochs')
      .default({ steps: 20 }),
    partition: z
      .object({
        kind: oneOf(FEDERATED_PARTITIONS).default('iid'),
        alpha: z.number().gt(0, 'must be > 0').lte(1000, 'must be <= 1000').optional(),
        seed: z.number().int('must be an integer').gte(0, 'must be >= 0').lte(0xffffffff, 'must fit in 32 bits').default(0),
      })
      .strict()
      .refine((partition) => partition.kind !== 'dirichlet' || partition.alpha !== undefined, 'dirichlet needs alpha')
      .default({ kind: 'iid', seed: 0 }),
    maskMode: oneOf(FEDERATED_MASK_MODES).default('fixed'),
    /** consensus: positions each layer swaps per round, as a fraction of its active count. */
    consensusFraction: z.number().gt(0, 'must be > 0').lte(1, 'must be <= 1').default(0.1),
    serverOptimizer: z
      .object({
        kind: oneOf(SERVER_OPTIMIZERS).default('fedavg'),
        lr: z.number().gt(0, 'must be > 0').optional(),
        momentum: z.number().gte(0, 'must be >= 0').lt(1, 'must be < 1').optional(),
        beta1: z.number().gte(0, 'must be >= 0').lt(1, 'must be < 1').optional(),
        beta2: z.number().gte(0, 'must be >= 0').lt(1, 'must be < 1').optional(),
        tau: z.number().gt(0, 'must be > 0').optional(),
      })
      .strict()
      .default({ kind: 'fedavg' }),
    updateDtype: oneOf(UPDATE_DTYPES).default('f32'),
    /** A round closes at K updates or this long after it opened, whichever comes first. */
    roundDeadlineMs: z.number().int('must be an integer').gte(100, 'must be >= 100').lte(86_400_000, 'must be <= 1 day').default(300_000),
    selector: jobSelectorSchema.optional(),
  })
  .strict();

export type FederatedSubmission = z.output<typeof federatedSubmissionSchema>;

/** What a federated job is planned from, stored as its spec_json. */
export interface FederatedJobSpec extends Omit<FederatedSubmission, 'config' | 'name' | 'selector'> {
  /** The base job spec of every client task (the config on the wire). */
  readonly base: TrainingJobSpec;
  readonly selector: JobSelector;
  readonly memoryEstimate: MemoryEstimate;
  /** K: updates each round waits for. */
  readonly targetUpdates: number;
  /** Clients each round selects (K over-selected). */
  readonly selectPerRound: number;
  /** Each shard's size and labels, when the coordinator's lab could cut the partition at submission. */
  readonly shardSummary?: readonly FederatedShardSummary[];
}

export interface ValidatedFederatedJob {
  readonly name: string | undefined;
  readonly spec: FederatedJobSpec;
}

export function validateFederatedSubmission(body: unknown): ValidatedFederatedJob {
  const submission = parseZod(federatedSubmissionSchema, body ?? {});
  const { name, config, selector, ...plan } = submission;
  if (plan.minClients > plan.clients) throw new InvalidInputError([`minClients: ${plan.minClients} exceeds clients (${plan.clients})`]);
  if ((config.data.shardCount ?? 1) > 1) throw new InvalidInputError(['config.data.shardCount: the partition picks each client\'s examples; leave it at 1']);
  let memoryEstimate: MemoryEstimate;
  try {
    memoryEstimate = estimateTrainingMemory(config);
  } catch (error) {
    throw new InvalidInputError([`config: ${error instanceof Error ? error.message : String(error)}`]);
  }
  const targetUpdates = Math.min(plan.clients, Math.max(plan.minClients, Math.ceil(plan.fraction * plan.clients)));
  const selectPerRound = Math.min(plan.clients, Math.ceil(targetUpdates * plan.overSelect));
  return {
    name,
    spec: { ...plan, base: trainConfigToJobSpec(config), selector: selector ?? {}, memoryEstimate, targetUpdates, selectPerRound },
  };
}
