import { Injectable } from '@nestjs/common';
import type { Selectable } from 'kysely';
import type { EnrollmentTokenTable } from '../storage/database.schema.js';
import { DatabaseService } from '../storage/database.service.js';

export type EnrollmentTokenRow = Selectable<EnrollmentTokenTable>;

@Injectable()
export class EnrollmentTokenRepository {
  constructor(private readonly database: DatabaseService) {}

  async insert(row: EnrollmentTokenRow): Promise<void> {
    await this.database.db.insertInto('enrollment_tokens').values(row).execute();
  }

  async findByHash(tokenHash: string): Promise<EnrollmentTokenRow | undefined> {
    return this.database.db.selectFrom('enrollment_tokens').selectAll().where('token_hash', '=', tokenHash).executeTakeFirst();
  }

  async findById(id: string): Promise<EnrollmentTokenRow | undefined> {
    return this.database.db.selectFrom('enrollment_tokens').selectAll().where('id', '=', id).executeTakeFirst();
  }

  async list(): Promise<EnrollmentTokenRow[]> {
    return this.database.db.selectFrom('enrollment_tokens').selectAll().orderBy('created_at').orderBy('id').execute();
  }

  /** Revokes a token that was not revoked yet; false otherwise. */
  async revoke(id: string, now: string): Promise<boolean> {
    const result = await this.database.db
      .updateTable('enrollment_tokens')
      .set({ revoked_at: now })
      .where('id', '=', id)
      .where('revoked_at', 'is', null)
      .executeTakeFirst();
    return result.numUpdatedRows > 0n;
  }

  /** Takes one use in a single conditional UPDATE, so two devices racing for the last use cannot both win. */
  async consumeUse(id: string, now: string): Promise<boolean> {
    const result = await this.database.db
      .updateTable('enrollment_tokens')
      .set((eb) => ({ use_count: eb('use_count', '+', 1) }))
      .where('id', '=', id)
      .where('revoked_at', 'is', null)
      .where('expires_at', '>', now)
      .whereRef('use_count', '<', 'max_uses')
      .executeTakeFirst();
    return result.numUpdatedRows > 0n;
  }
}
