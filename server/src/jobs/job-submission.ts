// REST input for a new job: validated with the engine's own TrainConfig schema (errors name the field, e.g.
// `config.optimizer.lr: must be > 0`), converted to the wire spec, with its selector and memory estimate. One job
// per request: the only input whose parse grows with its text is the profile, and its length is bounded.
import { z } from 'zod';
import {
  DataEfficiencySource,
  ForgettingReportCadence,
  MaskReportCadence,
  RemovalRefresh,
  type DataEfficiency,
  type DatasetIdentity,
  type ForgettingReporting,
  type MaskReporting,
  type TrainingJobSpec,
} from '../../../protocol/src/index.js';
import {
  acceptsInitialMask,
  estimateTrainingMemory,
  maskableLayerLayout,
  trainConfigSchema,
  trainConfigToJobSpec,
  type MemoryEstimate,
} from '../../../client/src/engine/spec.js';
import { InvalidInputError, parseZod } from '../common/validation.js';
import { jobSelectorSchema, type JobSelector } from './job-selector.js';

export const MAX_JOB_ATTEMPTS = 100;
export const MASK_REPORT_CADENCES = ['every', 'final', 'off'] as const;
export type MaskReportCadenceName = (typeof MASK_REPORT_CADENCES)[number];
export const FORGETTING_REPORT_CADENCES = ['epoch', 'final', 'off'] as const;
export type ForgettingReportCadenceName = (typeof FORGETTING_REPORT_CADENCES)[number];
export const REMOVAL_REFRESHES = ['epoch', 'never'] as const;
export type RemovalRefreshName = (typeof REMOVAL_REFRESHES)[number];
const CONTENT_HASH = /^[0-9a-f]{64}$/;

const CADENCE_CODES: Readonly<Record<MaskReportCadenceName, MaskReportCadence>> = {
  every: MaskReportCadence.MASK_REPORT_CADENCE_EVERY,
  final: MaskReportCadence.MASK_REPORT_CADENCE_FINAL,
  off: MaskReportCadence.MASK_REPORT_CADENCE_OFF,
};
/**
 * Largest per-layer profile (YAML text, `config.profile`) a job may carry: the memory estimate parses it while the
 * request is served, in one piece (~1 ms per KiB). Real profiles are under 2 KB (one line per layer).
 */
export const MAX_PROFILE_CHARS = 16 * 1024;

export const jobSubmissionSchema = z
  .object({
    name: z.string().trim().min(1, 'must not be empty').max(200, 'must be at most 200 characters').optional(),
    config: trainConfigSchema,
    selector: jobSelectorSchema.optional(),
    maxAttempts: z.number().int('must be an integer').gte(1, 'must be >= 1').lte(MAX_JOB_ATTEMPTS, `must be <= ${MAX_JOB_ATTEMPTS}`).optional(),
    checkpointEverySteps: z.number().int('must be an integer').gte(0, 'must be >= 0').lte(0xffffffff, 'must fit in 32 bits').optional(),
    /** What the job reports besides progress and its result: its masks at every update, at the end only, or not. */
    report: z
      .object({
        masks: z.enum(MASK_REPORT_CADENCES, { error: () => `must be one of ${MASK_REPORT_CADENCES.join(', ')}` }).default('off'),
        /** K: every K-th mask update carries full masks (the others carry changes); default 10. */
        fullMaskEvery: z.number().int('must be an integer').gte(1, 'must be >= 1').lte(1_000_000, 'must be <= 1000000').optional(),
        /** Forgetting statistics about the job's registered data set: after every epoch, once at the end, or none. */
        forgetting: z
          .enum(FORGETTING_REPORT_CADENCES, { error: () => `must be one of ${FORGETTING_REPORT_CADENCES.join(', ')}` })
          .default('off'),
        /** The content hash of the registered data set, when several are registered under config.data.name. */
        forgettingDataset: z.string().regex(CONTENT_HASH, 'must be a SHA-256 in lower-case hex').optional(),
      })
      .strict()
      .optional(),
    /** Start from the mask job `job` had in force at step `step`, instead of the method's initial topology. */
    initialMask: z
      .object({
        job: z.string().trim().min(1, 'must not be empty'),
        step: z.number().int('must be an integer').gte(0, 'must be >= 0').lte(Number.MAX_SAFE_INTEGER, 'is too large'),
      })
      .strict()
      .optional(),
    /** Train on the examples a removal set of the fleet's statistics keeps (not with config.dataEfficiency). */
    dataEfficiency: z
      .object({
        source: z.literal('fleet', { error: () => "must be 'fleet' (local MEST removal is config.dataEfficiency)" }),
        /** A removal-set id, or 'latest': the newest set of the job's data set at submission. */
        removalSet: z.string().trim().min(1, 'must not be empty'),
        /** 'epoch': pick up a newer set of the same data set at each epoch boundary; 'never' (default): keep this one. */
        refresh: z.enum(REMOVAL_REFRESHES, { error: () => `must be one of ${REMOVAL_REFRESHES.join(', ')}` }).default('never'),
      })
      .strict()
      .optional(),
  })
  .strict();

export type JobSubmission = z.output<typeof jobSubmissionSchema>;

export interface ValidatedJob {
  readonly name: string | undefined;
  readonly spec: TrainingJobSpec;
  readonly selector: JobSelector;
  readonly maxAttempts: number | undefined;
  readonly checkpointEverySteps: number;
  readonly memoryEstimate: MemoryEstimate;
  /** Asked for, not yet resolved: the coordinator looks the stored mask up and fills `spec.initialMask`. */
  readonly initialMask?: InitialMaskRequest;
  /** Asked for, not yet resolved: the coordinator finds the registered identity and fills `spec.forgettingReporting`. */
  readonly forgettingReport?: ForgettingReportRequest;
  /** Asked for, not yet resolved: the coordinator finds the removal set and fills `spec.dataEfficiency`. */
  readonly fleetDataEfficiency?: FleetDataEfficiencyRequest;
}

export interface ForgettingReportRequest {
  readonly cadence: Exclude<ForgettingReportCadenceName, 'off'>;
  /** config.data.name */
  readonly datasetName: string;
  readonly contentHash?: string;
}

export interface FleetDataEfficiencyRequest {
  /** A removal-set id or 'latest'. */
  readonly removalSet: string;
  readonly refresh: RemovalRefreshName;
  /** config.data.name: the set must be about it. */
  readonly datasetName: string;
  /** report.forgettingDataset, when given: the set must be about that identity. */
  readonly contentHash?: string;
}

export interface InitialMaskRequest {
  readonly job: string;
  readonly step: number;
  /** The new job's maskable layers (canonical shapes), which the stored mask must match. */
  readonly layout: { readonly name: string; readonly shape: number[] }[];
}

export function validateJobSubmission(body: unknown): ValidatedJob {
  const submission = parseZod(jobSubmissionSchema, body ?? {});
  const profileChars = submission.config.profile?.length ?? 0;
  if (profileChars > MAX_PROFILE_CHARS) {
    throw new InvalidInputError([`config.profile: ${profileChars} characters exceed the limit of ${MAX_PROFILE_CHARS}`]);
  }
  let memoryEstimate: MemoryEstimate;
  try {
    memoryEstimate = estimateTrainingMemory(submission.config);
  } catch (error) {
    // E.g. a profile that names layers the model does not have.
    throw new InvalidInputError([`config: ${error instanceof Error ? error.message : String(error)}`]);
  }
  const config = submission.config;
  let initialMask: InitialMaskRequest | undefined;
  if (submission.initialMask) {
    if (!acceptsInitialMask(config.method)) {
      throw new InvalidInputError([`initialMask: method ${config.method} derives its masks from its own state and cannot start from a stored mask`]);
    }
    const layout = maskableLayerLayout(config.model, config.data.name);
    initialMask = { ...submission.initialMask, layout };
  }
  if (submission.dataEfficiency && config.dataEfficiency) {
    throw new InvalidInputError([
      'dataEfficiency: a job follows either the fleet\'s removal sets (dataEfficiency) or its own MEST removal (config.dataEfficiency), not both',
    ]);
  }
  const forgetting = submission.report?.forgetting ?? 'off';
  const forgettingDataset = submission.report?.forgettingDataset;
  if (forgettingDataset !== undefined && forgetting === 'off' && !submission.dataEfficiency) {
    throw new InvalidInputError(['report.forgettingDataset: only with report.forgetting epoch or final, or with dataEfficiency']);
  }
  const datasetName = config.data.name;
  const forgettingReport: ForgettingReportRequest | undefined =
    forgetting === 'off' ? undefined : { cadence: forgetting, datasetName, ...(forgettingDataset ? { contentHash: forgettingDataset } : {}) };
  const fleetDataEfficiency: FleetDataEfficiencyRequest | undefined = submission.dataEfficiency && {
    removalSet: submission.dataEfficiency.removalSet,
    refresh: submission.dataEfficiency.refresh,
    datasetName,
    ...(forgettingDataset ? { contentHash: forgettingDataset } : {}),
  };
  const cadence = submission.report?.masks ?? 'off';
  const maskReporting: MaskReporting | undefined =
    cadence === 'off' ? undefined : { cadence: CADENCE_CODES[cadence], fullEvery: submission.report?.fullMaskEvery ?? 0 };
  return {
    name: submission.name,
    spec: { ...trainConfigToJobSpec(config), ...(maskReporting ? { maskReporting } : {}) },
    ...(initialMask ? { initialMask } : {}),
    ...(forgettingReport ? { forgettingReport } : {}),
    ...(fleetDataEfficiency ? { fleetDataEfficiency } : {}),
    selector: submission.selector ?? {},
    maxAttempts: submission.maxAttempts,
    checkpointEverySteps: submission.checkpointEverySteps ?? 0,
    memoryEstimate,
  };
}

/** The spec's forgetting reporting once the coordinator found the registered identity the job reports about. */
export function forgettingReportingFor(request: ForgettingReportRequest, dataset: DatasetIdentity): ForgettingReporting {
  const cadence = request.cadence === 'epoch' ? ForgettingReportCadence.FORGETTING_REPORT_CADENCE_EPOCH : ForgettingReportCadence.FORGETTING_REPORT_CADENCE_FINAL;
  return { cadence, dataset: { name: dataset.name, contentHash: dataset.contentHash, size: dataset.size } };
}

/** The spec's data efficiency once the coordinator chose the removal set (an id; 'latest' resolved). */
export function fleetDataEfficiencyFor(request: FleetDataEfficiencyRequest, removalSetId: string): DataEfficiency {
  return {
    removeCount: 0,
    removeEpoch: 0,
    keepLowest: 0,
    source: DataEfficiencySource.DATA_EFFICIENCY_SOURCE_FLEET,
    removalSetId,
    refresh: request.refresh === 'epoch' ? RemovalRefresh.REMOVAL_REFRESH_EPOCH : RemovalRefresh.REMOVAL_REFRESH_NEVER,
  };
}
