import { Injectable } from '@nestjs/common';
import { DatabaseService } from '../storage/database.service.js';

@Injectable()
export class CoordinatorSecretRepository {
  constructor(private readonly database: DatabaseService) {}

  async insertIfAbsent(name: string, value: string, now: string): Promise<void> {
    await this.database.db
      .insertInto('coordinator_secrets')
      .values({ name, value, created_at: now })
      .onConflict((oc) => oc.column('name').doNothing())
      .execute();
  }

  async find(name: string): Promise<string | undefined> {
    const row = await this.database.db.selectFrom('coordinator_secrets').select('value').where('name', '=', name).executeTakeFirst();
    return row?.value;
  }
}
