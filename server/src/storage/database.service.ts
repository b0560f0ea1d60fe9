// Owns the Kysely instance: opens the database, migrates it to the latest in-code schema, closes it on shutdown.
// Only `*.repository.ts` files use `db`.
import { Inject, Injectable, Logger, type OnApplicationShutdown } from '@nestjs/common';
import { Kysely, Migrator, sql, type Transaction } from 'kysely';
import { COORDINATOR_CONFIG, type CoordinatorConfig } from '../config/coordinator-config.js';
import {
  DatabaseUnavailableError,
  connectionFailure,
  createDialect,
  databaseSettingsFor,
  describePostgresUrl,
  type DatabaseKind,
} from './database-dialect.js';

export { DatabaseUnavailableError };
import type { DB } from './database.schema.js';
import { inCodeMigrationProvider } from './migrations.js';

@Injectable()
export class DatabaseService implements OnApplicationShutdown {
  private readonly logger = new Logger(DatabaseService.name);
  readonly db: Kysely<DB>;
  readonly kind: DatabaseKind;
  /** What error messages call the database (host, port and name for PostgreSQL; never credentials). */
  private readonly description: string;

  constructor(@Inject(COORDINATOR_CONFIG) config: CoordinatorConfig) {
    const settings = databaseSettingsFor(config);
    this.kind = settings.kind;
    this.description = settings.kind === 'postgres' ? describePostgresUrl(settings.url) : `SQLite ${settings.file}`;
    const dialect = createDialect(settings, (error) => this.logger.error(`${this.description}: ${error.message}`));
    this.db = new Kysely<DB>({ dialect });
  }

  /**
   * Applies pending migrations; throws when one fails so the coordinator does not start on a broken schema, and a
   * DatabaseUnavailableError when the database cannot be reached at all.
   */
  async migrate(options: { readonly quiet?: boolean } = {}): Promise<void> {
    try {
      await this.ping();
    } catch (error) {
      throw new DatabaseUnavailableError(`cannot use ${this.description}: ${connectionFailure(error)}`);
    }
    const migrator = new Migrator({ db: this.db, provider: inCodeMigrationProvider });
    const { error, results } = await migrator.migrateToLatest();
    for (const result of options.quiet ? [] : (results ?? [])) {
      if (result.status === 'Success') this.logger.log(`migration ${result.migrationName} applied`);
      if (result.status === 'Error') this.logger.error(`migration ${result.migrationName} failed`);
    }
    if (error) throw error instanceof Error ? error : new Error(String(error));
  }

  /**
   * Runs `work` in a transaction that no other `serialized` call with the same `key` overlaps: for read-then-write
   * steps that must not interleave (the next sequence number, a first-only insert). SQLite runs a connection's
   * transactions one at a time anyway; on PostgreSQL, where concurrent transactions interleave, a transaction-scoped
   * advisory lock on the key does it (and, under READ COMMITTED, `work`'s statements see what the previous holder
   * committed).
   */
  async serialized<T>(key: string, work: (trx: Transaction<DB>) => Promise<T>): Promise<T> {
    return this.db.transaction().execute(async (trx) => {
      if (this.kind === 'postgres') await sql`SELECT pg_advisory_xact_lock(hashtext(${key}))`.execute(trx);
      return work(trx);
    });
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
