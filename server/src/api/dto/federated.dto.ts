// REST shapes of federated jobs (issue 18): the plan, per-round metrics, shards by device and each round's clients.
import { z } from 'zod';
import { Timestamp } from './common.dto.js';
import { restDto } from './registry.js';

const int = z.number().int();

export const FEDERATED_JOB_STATE_NAMES = ['running', 'completed', 'failed', 'cancelled'] as const;
export const FEDERATED_ROUND_STATE_NAMES = ['pending', 'open', 'closed'] as const;
export const FEDERATED_PARTICIPANT_STATE_NAMES = ['selected', 'updated', 'rejected', 'dropped', 'late'] as const;

export const FederatedRoundDto = restDto(
  'FederatedRound',
  z.strictObject({
    round: int,
    state: z.enum(FEDERATED_ROUND_STATE_NAMES),
    /** K: the round closes once this many updates are accepted (or at its deadline). */
    targetUpdates: int,
    selected: int,
    /** Updates aggregated into the model this round produced. */
    applied: int,
    bytesDown: int,
    bytesUp: int,
    modelBytes: int,
    /** Held-out accuracy of the model this round produced; null until measured. */
    accuracy: z.number().nullable(),
    loss: z.number().nullable(),
    durationMs: int.nullable(),
    closeReason: z.string().nullable(),
    /** The aggregation's statistics (contributors, totalWeight, meanLoss, uncoveredPositions, density, maskSwapped). */
    stats: z.record(z.string(), z.number()).nullable(),
    /** Why the held-out evaluation of this round's model failed; null when it did not (or has not run). */
    evaluationError: z.string().nullable(),
    openedAt: Timestamp.nullable(),
    closedAt: Timestamp.nullable(),
  }),
  'One round of a federated job: participants, bytes down and up, duration, held-out accuracy.',
);
export type FederatedRoundDto = z.output<typeof FederatedRoundDto>;

export const FederatedPlanDto = z.strictObject({
  model: z.string(),
  method: z.string(),
  density: z.number(),
  rounds: int,
  clients: int,
  fraction: z.number(),
  minClients: int,
  overSelect: z.number(),
  targetUpdates: int,
  selectPerRound: int,
  local: z.strictObject({ steps: int.optional(), epochs: int.optional() }),
  partition: z.strictObject({ kind: z.enum(['iid', 'dirichlet']), alpha: z.number().optional(), seed: int }),
  maskMode: z.enum(['fixed', 'consensus', 'method']),
  consensusFraction: z.number(),
  serverOptimizer: z.strictObject({
    kind: z.enum(['fedavg', 'fedavgm', 'fedadam']),
    lr: z.number().optional(),
    momentum: z.number().optional(),
    beta1: z.number().optional(),
    beta2: z.number().optional(),
    tau: z.number().optional(),
  }),
  updateDtype: z.enum(['f32', 'f16', 'int8']),
  roundDeadlineMs: int,
  selector: z.record(z.string(), z.unknown()),
});
export type FederatedPlanDto = z.output<typeof FederatedPlanDto>;

export const FederatedJobDto = restDto(
  'FederatedJob',
  z.strictObject({
    id: z.string(),
    name: z.string(),
    state: z.enum(FEDERATED_JOB_STATE_NAMES),
    reason: z.string().nullable(),
    /** The round in progress (0-based); equals plan.rounds once the job completed. */
    currentRound: int,
    plan: FederatedPlanDto,
    /** Which device holds which data shard (a device keeps its shard across rounds). */
    shards: z.array(z.strictObject({ clientIndex: int, deviceId: z.string() })),
    /** Each shard's size and examples per label, as the partition cuts the training split (empty when unknown). */
    partition: z.array(z.strictObject({ clientIndex: int, examples: int, labelCounts: z.array(int) })),
    rounds: z.array(FederatedRoundDto),
    totals: z.strictObject({ bytesDown: int, bytesUp: int, appliedUpdates: int }),
    createdAt: Timestamp,
    finishedAt: Timestamp.nullable(),
  }),
  'A federated job: plan, state, shards by device and its rounds.',
);
export type FederatedJobDto = z.output<typeof FederatedJobDto>;

export const FederatedParticipantDto = restDto(
  'FederatedParticipant',
  z.strictObject({
    round: int,
    clientIndex: int,
    deviceId: z.string(),
    taskJobId: z.string(),
    state: z.enum(FEDERATED_PARTICIPANT_STATE_NAMES),
    reason: z.string().nullable(),
    examples: int.nullable(),
    stepsDone: int.nullable(),
    stepsPlanned: int.nullable(),
    loss: z.number().nullable(),
    bytesDown: int,
    bytesUp: int,
  }),
  'A client of a round: its shard, device, client task and outcome.',
);
export type FederatedParticipantDto = z.output<typeof FederatedParticipantDto>;
