// REST shapes of the audit log: an entry, and the query of the list.
import { z } from 'zod';
import { Timestamp } from './common.dto.js';
import { restDto } from './registry.js';

export const AuditEntryDto = restDto(
  'AuditEntry',
  z.strictObject({
    seq: z.number().int(),
    at: Timestamp,
    /** `api-key:<id>`, `local` (in-process handle) or `token:<id>` (a device enrolling with a reclaim token). */
    actor: z.string(),
    /** device.reclaim-issued, device.reclaimed, device.revoked. */
    action: z.string(),
    target: z.string(),
    detail: z.record(z.string(), z.unknown()),
  }),
  'An operator action on a device.',
);
export type AuditEntryDto = z.output<typeof AuditEntryDto>;

/** GET /api/audit-log?limit=N. */
export const auditQuerySchema = z.strictObject({ limit: z.coerce.number().int('must be an integer').min(1).max(1000).optional() });
export type AuditQuery = z.output<typeof auditQuerySchema>;
