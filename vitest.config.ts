import { configDefaults, defineConfig } from 'vitest/config';

/**
 * Tests that start a coordinator or open its database: they run a second time on PostgreSQL (a throw-away cluster
 * started by test/support/postgres-cluster.ts; the harnesses give each coordinator its own database).
 */
const DATABASE_TESTS = ['test/server/**/*.test.ts', 'test/security/**/*.test.ts'];
const POSTGRES_ONLY_TESTS = 'test/**/*.pg.test.ts';

export default defineConfig({
  test: {
    environment: 'node',
    testTimeout: 60_000,
    hookTimeout: 60_000,
    pool: 'forks',
    // The JSON report is what .ci/run turns into the plain "N passed, N failed" line CI reads (both projects).
    reporters: ['default', 'json'],
    outputFile: { json: 'test-results/vitest.json' },
    projects: [
      {
        extends: true,
        test: {
          name: 'sqlite',
          include: ['test/**/*.{test,spec}.ts', 'server/src/**/*.spec.ts', 'client/src/**/*.spec.ts', 'cli/src/**/*.spec.ts'],
          // Tests of what only exists on PostgreSQL (several coordinator nodes on one database).
          exclude: [...configDefaults.exclude, POSTGRES_ONLY_TESTS],
        },
      },
      {
        extends: true,
        test: {
          name: 'postgres',
          include: DATABASE_TESTS,
          globalSetup: ['test/support/postgres-cluster.ts'],
          provide: { testDatabase: 'postgres' },
        },
      },
    ],
  },
});
