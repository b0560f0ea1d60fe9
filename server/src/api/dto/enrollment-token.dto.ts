// REST shapes of enrollment tokens: the token as listed (never its secret), the token as created (with its secret,
// shown once; a device reclaim answers with the same shape), and the body that creates one.
import { z } from 'zod';
import { labelsSchema } from '../../devices/labels.js';
import { LabelsDto, Timestamp } from './common.dto.js';
import { restDto } from './registry.js';

const int = z.number().int();

export const EnrollmentTokenDto = restDto(
  'EnrollmentToken',
  z.strictObject({
    id: z.string(),
    prefix: z.string(),
    uses: int,
    maxUses: int,
    expiresAt: Timestamp,
    revokedAt: Timestamp.nullable(),
    createdAt: Timestamp,
    labels: LabelsDto,
    /** Set on a token issued by a device reclaim: it re-enrolls that device only. */
    reclaimDeviceId: z.string().nullable(),
  }),
  'An enrollment token as listed: never its secret.',
);
export type EnrollmentTokenDto = z.output<typeof EnrollmentTokenDto>;

export const CreatedEnrollmentTokenDto = restDto(
  'CreatedEnrollmentToken',
  z.strictObject({
    id: z.string(),
    /** The secret itself: shown once, never stored. */
    token: z.string(),
    prefix: z.string(),
    expiresAt: Timestamp,
    maxUses: int,
    labels: LabelsDto,
    reclaimDeviceId: z.string().nullable(),
  }),
  'A new enrollment token with its secret (shown only once).',
);
export type CreatedEnrollmentTokenDto = z.output<typeof CreatedEnrollmentTokenDto>;

/** POST /api/enrollment-tokens. */
export const createEnrollmentTokenBodySchema = z.strictObject({
  maxUses: z.number().int('must be an integer').min(1, 'must be >= 1').max(1_000_000, 'must be <= 1000000').optional(),
  ttlSeconds: z.number().int('must be an integer').min(1, 'must be >= 1').max(365 * 24 * 3600, 'must be <= 1 year').optional(),
  labels: labelsSchema.optional(),
});
export type CreateEnrollmentTokenBody = z.output<typeof createEnrollmentTokenBodySchema>;
