// REST input for a new job: validated with the engine's own TrainConfig schema (errors name the field, e.g.
// `config.optimizer.lr: must be > 0`), converted to the wire spec, with its selector and memory estimate. One job
// per request: the only input whose parse grows with its text is the profile, and its length is bounded.
import { z } from 'zod';
import type { TrainingJobSpec } from '../../../protocol/src/index.js';
import { estimateTrainingMemory, trainConfigSchema, trainConfigToJobSpec, type MemoryEstimate } from '../../../client/src/engine/spec.js';
import { InvalidInputError, parseZod } from '../common/validation.js';
import { jobSelectorSchema, type JobSelector } from './job-selector.js';

export const MAX_JOB_ATTEMPTS = 100;
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
  return {
    name: submission.name,
    spec: trainConfigToJobSpec(submission.config),
    selector: submission.selector ?? {},
    maxAttempts: submission.maxAttempts,
    checkpointEverySteps: submission.checkpointEverySteps ?? 0,
    memoryEstimate,
  };
}
