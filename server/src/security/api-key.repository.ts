import { Injectable } from '@nestjs/common';
import type { Selectable } from 'kysely';
import type { ApiKeyTable } from '../storage/database.schema.js';
import { DatabaseService } from '../storage/database.service.js';

export type ApiKeyRow = Selectable<ApiKeyTable>;

@Injectable()
export class ApiKeyRepository {
  constructor(private readonly database: DatabaseService) {}

  async insert(row: ApiKeyRow): Promise<void> {
    await this.database.db.insertInto('api_keys').values(row).execute();
  }

  /** The key with this hash, unless it was revoked. */
  async findActiveByHash(hash: string): Promise<ApiKeyRow | undefined> {
    return this.database.db
      .selectFrom('api_keys')
      .selectAll()
      .where('hash', '=', hash)
      .where('revoked_at', 'is', null)
      .executeTakeFirst();
  }

  async list(): Promise<ApiKeyRow[]> {
    return this.database.db.selectFrom('api_keys').selectAll().orderBy('created_at').orderBy('id').execute();
  }

  async revoke(id: string, now: string): Promise<boolean> {
    const result = await this.database.db
      .updateTable('api_keys')
      .set({ revoked_at: now })
      .where('id', '=', id)
      .where('revoked_at', 'is', null)
      .executeTakeFirst();
    return result.numUpdatedRows > 0n;
  }
}
