// The audit log: operator actions that change who a device is or whether it may connect. Each entry is also
// logged at warn, so it reaches the coordinator's log stream as it happens.
import { randomUUID } from 'node:crypto';
import { Injectable, Logger } from '@nestjs/common';
import { AuditLogRepository, type AuditLogRow } from './audit-log.repository.js';

export type AuditAction = 'device.reclaim-issued' | 'device.reclaimed' | 'device.revoked';

export interface AuditEntry {
  readonly seq: number;
  readonly at: string;
  /** `api-key:<id>`, `local` (in-process handle) or `token:<id>` (a device enrolling with a reclaim token). */
  readonly actor: string;
  readonly action: string;
  readonly target: string;
  readonly detail: Record<string, unknown>;
}

@Injectable()
export class AuditLogService {
  private readonly logger = new Logger('Audit');

  constructor(private readonly entries: AuditLogRepository) {}

  async record(actor: string, action: AuditAction, target: string, detail: Record<string, unknown> = {}, now = new Date()): Promise<void> {
    await this.entries.append({
      id: randomUUID(),
      at: now.toISOString(),
      actor,
      action,
      target,
      detail_json: JSON.stringify(detail),
    });
    this.logger.warn(`[Audit] ${action} ${target} by ${actor} ${JSON.stringify(detail)}`);
  }

  async listRecent(limit = 100): Promise<AuditEntry[]> {
    return (await this.entries.listRecent(limit)).map(toEntry);
  }
}

function toEntry(row: AuditLogRow): AuditEntry {
  return {
    seq: Number(row.seq),
    at: row.at,
    actor: row.actor,
    action: row.action,
    target: row.target,
    detail: JSON.parse(row.detail_json) as Record<string, unknown>,
  };
}
