// Vitest globalSetup of the `postgres` test project: one throw-away PostgreSQL cluster for the whole run
// (testkit/postgres-server.ts), removed afterwards. Test harnesses create a fresh
// database in it per coordinator (./test-database.ts). Without the binaries every test there that needs a database
// fails, naming why (the rest of the run goes on): CI installs PostgreSQL, nothing skips.
import type { TestProject } from 'vitest/node';
import { startThrowawayPostgres } from '../../testkit/postgres-server.js';

declare module 'vitest' {
  export interface ProvidedContext {
    /** Which database the project's harnesses use (set in vitest.config.ts); absent = SQLite. */
    testDatabase?: 'sqlite' | 'postgres';
    /** Superuser URL of the run's throw-away cluster (its `postgres` database). */
    postgresAdminUrl?: string;
    /** Why there is no cluster: every test that asks for a database fails with this (the others still run). */
    postgresUnavailable?: string;
  }
}

export default async function startPostgresCluster(project: TestProject): Promise<(() => void) | undefined> {
  try {
    const cluster = await startThrowawayPostgres();
    project.provide('postgresAdminUrl', cluster.adminUrl);
    return () => cluster.stop();
  } catch (error) {
    // Not thrown: that would abort the whole run, SQLite project included, before any test is counted.
    project.provide('postgresUnavailable', error instanceof Error ? error.message : String(error));
    return undefined;
  }
}
