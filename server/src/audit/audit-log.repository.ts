import { Injectable } from '@nestjs/common';
import type { Selectable } from 'kysely';
import type { AuditLogTable } from '../storage/database.schema.js';
import { DatabaseService } from '../storage/database.service.js';

export type AuditLogRow = Selectable<AuditLogTable>;

@Injectable()
export class AuditLogRepository {
  constructor(private readonly database: DatabaseService) {}

  /** Appends an entry behind every existing one (its `seq` is computed by the same statement, under a lock). */
  async append(row: Omit<AuditLogRow, 'seq'>): Promise<void> {
    await this.database.serialized('audit_log.seq', (trx) =>
      trx
        .insertInto('audit_log')
        .values((eb) => ({
          ...row,
          seq: eb.selectFrom('audit_log').select((sub) => sub(sub.fn.coalesce(sub.fn.max('seq'), sub.lit(0)), '+', sub.lit(1)).as('next')),
        }))
        .execute(),
    );
  }

  /** Newest first, at most `limit`. */
  async listRecent(limit: number): Promise<AuditLogRow[]> {
    return this.database.db.selectFrom('audit_log').selectAll().orderBy('seq', 'desc').limit(limit).execute();
  }
}
