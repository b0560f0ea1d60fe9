// REST shapes of fleet data efficiency (issue 11): registered data sets with their merged forgetting statistics,
// removal sets, and the bodies that register a data set and create a removal set.
import { z } from 'zod';
import { Timestamp } from './common.dto.js';
import { DatasetIdentityDto } from './job.dto.js';
import { restDto } from './registry.js';
import { MAX_REGISTERED_EXAMPLES } from '../../datastats/limits.js';

const int = z.number().int();

export { MAX_REGISTERED_EXAMPLES };

export const datasetRegistrationBodySchema = z.strictObject({
  /** The engine's data-set name, e.g. "fashion-mnist" (what job configs call config.data.name). */
  name: z.string().trim().min(1, 'must not be empty').max(200, 'must be at most 200 characters'),
  contentHash: z.string().regex(/^[0-9a-f]{64}$/, 'must be a SHA-256 in lower-case hex'),
  size: z.number().int('must be an integer').gte(1, 'must be >= 1').lte(MAX_REGISTERED_EXAMPLES, `must be <= ${MAX_REGISTERED_EXAMPLES}`),
});
export type DatasetRegistrationBody = z.output<typeof datasetRegistrationBodySchema>;

const minEpochs = z.number().int('must be an integer').gte(1, 'must be >= 1').lte(1_000_000, 'must be <= 1000000').default(1);

export const removalRuleBodySchema = z.discriminatedUnion('kind', [
  z.strictObject({
    kind: z.literal('fraction'),
    /** Remove round(fraction × size) of the eligible examples, least forgotten first. */
    fraction: z.number().gt(0, 'must be > 0').lt(1, 'must be < 1'),
    /** Eligible: examples presented at least this often across the fleet. */
    minEpochs,
  }),
  z.strictObject({
    kind: z.literal('threshold'),
    /** Remove every eligible learned example forgotten at most this often. */
    maxForgetting: z.number().int('must be an integer').gte(0, 'must be >= 0').lte(1_000_000_000, 'is too large'),
    minEpochs,
  }),
]);

export const removalSetCreateBodySchema = z.strictObject({
  /** A content hash, or a name registered under exactly one hash. */
  dataset: z.string().trim().min(1, 'must not be empty'),
  rule: removalRuleBodySchema,
});
export type RemovalSetCreateBody = z.output<typeof removalSetCreateBodySchema>;

export const RemovalRuleDto = restDto(
  'RemovalRule',
  z.discriminatedUnion('kind', [
    z.strictObject({ kind: z.literal('fraction'), fraction: z.number(), minEpochs: int }),
    z.strictObject({ kind: z.literal('threshold'), maxForgetting: int, minEpochs: int }),
  ]),
  'fraction: the round(fraction × size) least-forgotten eligible examples; threshold: eligible learned examples forgotten at most maxForgetting times. Eligible: presented >= minEpochs times.',
);
export type RemovalRuleDto = z.output<typeof RemovalRuleDto>;

export const RemovalSetRefDto = z.strictObject({ id: z.string(), version: int });

export const DatasetSummaryDto = restDto(
  'DatasetSummary',
  z.strictObject({
    name: z.string(),
    contentHash: z.string(),
    size: int,
    registeredAt: Timestamp,
    /** Distinct reports received. */
    contributions: int,
    /** Jobs whose statistics count. */
    jobs: int,
    devices: int,
    coveredExamples: int,
    /** Epochs the counted reports span, summed over jobs. */
    epochsObserved: int,
    latestRemovalSet: RemovalSetRefDto.optional(),
  }),
  'A registered data set and how much of the fleet has reported about it.',
);
export type DatasetSummaryDto = z.output<typeof DatasetSummaryDto>;

export const DatastatsListDto = restDto('DatastatsList', z.strictObject({ datasets: z.array(DatasetSummaryDto) }));
export type DatastatsListDto = z.output<typeof DatastatsListDto>;

export const ProvenanceDto = restDto(
  'RemovalSetProvenance',
  z.strictObject({
    devices: z.array(z.string()),
    jobs: z.array(z.strictObject({ jobId: z.string(), attempt: int, epochsObserved: int })),
    epochsObserved: int,
    contributions: int,
  }),
  'Which devices and jobs (the attempt and epochs of the report that counted) the set was cut from.',
);

export const RemovalSetDto = restDto(
  'RemovalSet',
  z.strictObject({
    id: z.string(),
    /** 1, 2, ... per data set. */
    version: int,
    dataset: DatasetIdentityDto,
    rule: RemovalRuleDto,
    requestedCount: int,
    removedCount: int,
    createdAt: Timestamp,
    provenance: ProvenanceDto,
  }),
  'An immutable removal set: the examples a rule dropped from the merged statistics of one data set.',
);
export type RemovalSetDto = z.output<typeof RemovalSetDto>;

export const RemovalSetListDto = restDto('RemovalSetList', z.strictObject({ removalSets: z.array(RemovalSetDto) }));
export type RemovalSetListDto = z.output<typeof RemovalSetListDto>;

export const RemovalSetIdsDto = restDto('RemovalSetIds', z.strictObject({ ids: z.array(int) }), 'The removed example ids, ascending.');
export type RemovalSetIdsDto = z.output<typeof RemovalSetIdsDto>;

export const DatasetDetailDto = restDto(
  'DatasetDetail',
  z.strictObject({
    summary: DatasetSummaryDto,
    /** Learned covered examples by forgetting count (counts no example has are left out). */
    histogram: z.array(z.strictObject({ forgettingCount: int, examples: int })),
    neverLearned: int,
    unforgettable: int,
    uncovered: int,
    contributions: z.array(
      z.strictObject({
        jobId: z.string(),
        attempt: int,
        epoch: int,
        deviceId: z.string(),
        epochsObserved: int,
        final: z.boolean(),
        examples: int,
        /** The report of its job that counts: the greatest (epochsObserved, final, attempt, epoch). */
        selected: z.boolean(),
        receivedAt: Timestamp,
      }),
    ),
    removalSets: z.array(RemovalSetDto),
    trainedJobs: z.array(
      z.strictObject({
        jobId: z.string(),
        removalSetId: z.string(),
        version: int,
        removedFraction: z.number(),
        testAccuracy: z.number().nullable(),
        state: z.string(),
      }),
    ),
  }),
  'A data set: its summary, the histogram of forgetting counts, every report received, its removal sets and the jobs trained on them.',
);
export type DatasetDetailDto = z.output<typeof DatasetDetailDto>;
