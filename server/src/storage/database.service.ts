// Owns the Kysely instance: opens the database, migrates it to the latest in-code schema, closes it on shutdown.
// Only `*.repository.ts` files use `db`.
import { Inject, Injectable, Logger, type OnApplicationShutdown } from '@nestjs/common';
import { Kysely, Migrator, sql } from 'kysely';
import { COORDINATOR_CONFIG, type CoordinatorConfig } from '../config/coordinator-config.js';
import { createDialect, sqliteSettingsFor } from './database-dialect.js';
import type { DB } from './database.schema.js';
import { inCodeMigrationProvider } from './migrations.js';

@Injectable()
export class DatabaseService implements OnApplicationShutdown {
  private readonly logger = new Logger(DatabaseService.name);
  readonly db: Kysely<DB>;

  constructor(@Inject(COORDINATOR_CONFIG) config: CoordinatorConfig) {
    this.db = new Kysely<DB>({ dialect: createDialect(sqliteSettingsFor(config.dataDir)) });
  }

  /** Applies pending migrations; throws when one fails so the coordinator does not start on a broken schema. */
  async migrate(options: { readonly quiet?: boolean } = {}): Promise<void> {
    const migrator = new Migrator({ db: this.db, provider: inCodeMigrationProvider });
    const { error, results } = await migrator.migrateToLatest();
    for (const result of options.quiet ? [] : (results ?? [])) {
      if (result.status === 'Success') this.logger.log(`migration ${result.migrationName} applied`);
      if (result.status === 'Error') this.logger.error(`migration ${result.migrationName} failed`);
    }
    if (error) throw error instanceof Error ? error : new Error(String(error));
  }

  /** A trivial query: proves the database answers (health check). */
  async ping(): Promise<void> {
    await sql`select 1`.execute(this.db);
  }

  // After the HTTP and socket servers are closed (Nest disposes them between destroy and shutdown hooks).
  async onApplicationShutdown(): Promise<void> {
    await this.db.destroy();
  }
}
