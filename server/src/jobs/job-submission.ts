// REST input for a new job: validated with the engine's own TrainConfig schema, converted to the wire spec.
import { z } from 'zod';
import type { TrainingJobSpec } from '../../../generated/proto/sparsefleet/v1/job.js';
import { trainConfigSchema } from '../../../client/src/engine/train/config.js';
import { trainConfigToJobSpec } from '../../../client/src/engine/train/job-spec.js';
import { parseZod } from '../common/validation.js';

export const jobSubmissionSchema = z
  .object({
    name: z.string().trim().min(1, 'must not be empty').max(200, 'must be at most 200 characters').optional(),
    config: trainConfigSchema,
  })
  .strict();

export type JobSubmission = z.output<typeof jobSubmissionSchema>;

export interface ValidatedJob {
  readonly name: string | undefined;
  readonly spec: TrainingJobSpec;
}

export function validateJobSubmission(body: unknown): ValidatedJob {
  const submission = parseZod(jobSubmissionSchema, body ?? {});
  return { name: submission.name, spec: trainConfigToJobSpec(submission.config) };
}
