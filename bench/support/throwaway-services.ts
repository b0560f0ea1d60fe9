// A throw-away PostgreSQL cluster (with a `sparsefleet` database) and redis-server on free loopback ports, for the
// coordinator benchmark's two-node run. Both come from testkit/, shared with the tests; stop() removes them.
import pg from 'pg';
import { startThrowawayPostgres } from '../../testkit/postgres-server.js';
import { startRedisServer } from '../../testkit/redis-server.js';

const DATABASE = 'sparsefleet';

export interface ThrowawayServices {
  readonly databaseUrl: string;
  readonly redisUrl: string;
  stop(): Promise<void>;
}

export async function startThrowawayServices(): Promise<ThrowawayServices> {
  const postgres = await startThrowawayPostgres({ maxConnections: 200 });
  let redis: Awaited<ReturnType<typeof startRedisServer>>;
  try {
    const admin = new pg.Client({ connectionString: postgres.adminUrl });
    await admin.connect();
    try {
      await admin.query(`create database ${DATABASE}`);
    } finally {
      await admin.end();
    }
    redis = await startRedisServer();
  } catch (error) {
    postgres.stop();
    throw error;
  }
  const databaseUrl = new URL(postgres.adminUrl);
  databaseUrl.pathname = `/${DATABASE}`;
  return {
    databaseUrl: databaseUrl.toString(),
    redisUrl: redis.url,
    async stop() {
      await redis.stop();
      postgres.stop();
    },
  };
}
