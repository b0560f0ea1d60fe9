// Builds the Kysely dialect for the configured database. SQLite (better-sqlite3) is the embedded default; a
// PostgreSQL variant slots in here (kysely's PostgresDialect over a `pg` Pool) without touching repositories.
import fs from 'node:fs';
import path from 'node:path';
import Database from 'better-sqlite3';
import { SqliteDialect, type Dialect } from 'kysely';

export type DatabaseSettings = { readonly kind: 'sqlite'; readonly file: string };

export const SQLITE_FILE_NAME = 'sparsefleet.sqlite';

export function sqliteSettingsFor(dataDir: string): DatabaseSettings {
  return { kind: 'sqlite', file: path.join(dataDir, SQLITE_FILE_NAME) };
}

export function createDialect(settings: DatabaseSettings): Dialect {
  switch (settings.kind) {
    case 'sqlite':
      return new SqliteDialect({ database: openSqlite(settings.file) });
  }
}

function openSqlite(file: string): Database.Database {
  fs.mkdirSync(path.dirname(file), { recursive: true });
  const database = new Database(file);
  database.pragma('journal_mode = WAL');
  database.pragma('foreign_keys = ON');
  // Another process (the CLI reading stats) may hold the write lock briefly.
  database.pragma('busy_timeout = 5000');
  return database;
}
