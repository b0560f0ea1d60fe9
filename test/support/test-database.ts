// The database a test coordinator uses: in the `postgres` test project a fresh database in the run's throw-away
// cluster (dropped on `drop()`), otherwise nothing, so the coordinator keeps its SQLite file in its data dir.
import { randomBytes } from 'node:crypto';
import pg from 'pg';
import { inject } from 'vitest';

export interface TestDatabase {
  /** Pass to the coordinator (`databaseUrl`); undefined = SQLite in the data dir. */
  readonly databaseUrl: string | undefined;
  /** Drops the PostgreSQL database (after the coordinator using it closed); nothing for SQLite. */
  drop(): Promise<void>;
}

/** Which database the current test project runs on. */
export function testDatabaseKind(): 'sqlite' | 'postgres' {
  return inject('testDatabase') ?? 'sqlite';
}

export async function createTestDatabase(): Promise<TestDatabase> {
  if (testDatabaseKind() === 'sqlite') return { databaseUrl: undefined, drop: async () => {} };
  const adminUrl = inject('postgresAdminUrl');
  if (adminUrl === undefined) {
    throw new Error(`no PostgreSQL test cluster: ${inject('postgresUnavailable') ?? 'test/support/postgres-cluster.ts did not run'}`);
  }
  const name = `sparsefleet_test_${randomBytes(6).toString('hex')}`;
  // A natural-language default collation (as most servers have), so tests catch SQL that relies on byte order.
  await withAdmin(adminUrl, (admin) => admin.query(`CREATE DATABASE ${name} TEMPLATE template0 LOCALE_PROVIDER icu ICU_LOCALE 'en-US'`));
  const databaseUrl = new URL(adminUrl);
  databaseUrl.pathname = `/${name}`;
  let dropped: Promise<void> | undefined;
  return {
    databaseUrl: databaseUrl.toString(),
    drop: () => (dropped ??= withAdmin(adminUrl, (admin) => admin.query(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`))),
  };
}

async function withAdmin(adminUrl: string, work: (admin: pg.Client) => Promise<unknown>): Promise<void> {
  const admin = new pg.Client({ connectionString: adminUrl });
  await admin.connect();
  try {
    await work(admin);
  } finally {
    await admin.end();
  }
}
