// Builds the Kysely dialect for the configured database: SQLite (better-sqlite3) is the embedded default, PostgreSQL
// (a `pg` Pool) the shared one several coordinators can use. Repositories see the same JS types on both.
import fs from 'node:fs';
import path from 'node:path';
import Database from 'better-sqlite3';
import { withStatementCache } from './statement-cache.js';
import { PostgresAdapter, PostgresDialect, SqliteDialect, type Dialect, type QueryExecutorProvider } from 'kysely';
import pg from 'pg';

export type DatabaseSettings =
  | { readonly kind: 'sqlite'; readonly file: string }
  | { readonly kind: 'postgres'; readonly url: string };

export type DatabaseKind = DatabaseSettings['kind'];

/** The configured database is unusable (bad URL, unreachable, refused us); the message names no password. */
export class DatabaseUnavailableError extends Error {
  override readonly name = 'DatabaseUnavailableError';
}

export const SQLITE_FILE_NAME = 'sparsefleet.sqlite';

/** Connections one coordinator keeps to PostgreSQL at most. */
const POSTGRES_POOL_SIZE = 10;

export function sqliteSettingsFor(dataDir: string): DatabaseSettings {
  return { kind: 'sqlite', file: path.join(dataDir, SQLITE_FILE_NAME) };
}

/** PostgreSQL when a URL is given, else the SQLite file in the data dir. */
export function databaseSettingsFor(config: { readonly dataDir: string; readonly databaseUrl?: string }): DatabaseSettings {
  return config.databaseUrl === undefined ? sqliteSettingsFor(config.dataDir) : { kind: 'postgres', url: config.databaseUrl };
}

export function createDialect(settings: DatabaseSettings, onPoolError?: (error: Error) => void): Dialect {
  switch (settings.kind) {
    case 'sqlite':
      return new SqliteDialect({ database: withStatementCache(openSqlite(settings.file)) });
    case 'postgres':
      return new PostgresDialect({ pool: openPostgresPool(settings.url, onPoolError) });
  }
}

/** Which database a Kysely instance talks to (for the few migrations that differ per database). */
export function databaseKindOf(db: QueryExecutorProvider): DatabaseKind {
  return db.getExecutor().adapter instanceof PostgresAdapter ? 'postgres' : 'sqlite';
}

/** Host, port and database of a PostgreSQL URL, never its password: what error messages may show. */
export function describePostgresUrl(url: string): string {
  try {
    const parsed = new URL(url);
    const database = decodeURIComponent(parsed.pathname.replace(/^\//, '')) || '(default)';
    return `PostgreSQL at ${parsed.hostname || 'localhost'}:${parsed.port || '5432'}, database ${database}`;
  } catch {
    return 'PostgreSQL (unparsable URL)';
  }
}

/** Throws a DatabaseUnavailableError when the URL is not a postgres:// or postgresql:// URL. */
export function assertPostgresUrl(url: string): void {
  let parsed: URL;
  try {
    parsed = new URL(url);
  } catch {
    throw new DatabaseUnavailableError('the database URL is not a URL (expected postgres://USER:PASSWORD@HOST:PORT/DATABASE)');
  }
  if (parsed.protocol !== 'postgres:' && parsed.protocol !== 'postgresql:') {
    throw new DatabaseUnavailableError(`the database URL must start with postgres:// or postgresql:// (got ${parsed.protocol}//)`);
  }
}

/**
 * Connects once to a PostgreSQL database and disconnects: lets a coordinator refuse to start with one readable line
 * before anything else is built. Nothing to check for SQLite (the file is created on open).
 */
export async function probeDatabase(settings: DatabaseSettings): Promise<void> {
  if (settings.kind === 'sqlite') return;
  assertPostgresUrl(settings.url);
  const client = new pg.Client({ connectionString: settings.url, connectionTimeoutMillis: 10_000 });
  // A connection dropped after the probe must not surface as an unhandled 'error' event.
  client.on('error', () => {});
  try {
    await client.connect();
  } catch (error) {
    throw new DatabaseUnavailableError(`cannot use ${describePostgresUrl(settings.url)}: ${connectionFailure(error)}`);
  } finally {
    await client.end().catch(() => {});
  }
}

/** The useful part of a driver's connection error (pg's AggregateError for refused IPv4+IPv6 has an empty message). */
export function connectionFailure(error: unknown): string {
  if (error instanceof AggregateError && error.errors.length > 0) return connectionFailure(error.errors[0]);
  if (error instanceof Error) {
    const code = (error as Error & { code?: unknown }).code;
    return error.message || (typeof code === 'string' ? code : error.name);
  }
  return String(error);
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

function openPostgresPool(url: string, onPoolError?: (error: Error) => void): pg.Pool {
  assertPostgresUrl(url);
  const pool = new pg.Pool({
    connectionString: url,
    max: POSTGRES_POOL_SIZE,
    connectionTimeoutMillis: 10_000,
    types: { getTypeParser: postgresTypeParser },
  });
  // An idle connection that breaks (server restart) is reported here; unhandled it would end the process.
  pool.on('error', (error) => onPoolError?.(error));
  return pool;
}

const INT8_OID = 20;
const NUMERIC_OID = 1700;

/**
 * better-sqlite3 returns every INTEGER and REAL as a JS number; pg returns int8 (counts, bigint columns) and numeric
 * (sums) as strings. These parsers, on this pool only, make both come back as numbers like on SQLite.
 */
const postgresTypeParser = ((oid: number, format?: 'text' | 'binary') => {
  if (format !== 'binary' && (oid === INT8_OID || oid === NUMERIC_OID)) return parseNumber;
  return format === undefined ? pg.types.getTypeParser(oid) : pg.types.getTypeParser(oid, format);
}) as typeof pg.types.getTypeParser;

function parseNumber(value: string): number {
  return Number(value);
}
