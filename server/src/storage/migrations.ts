// In-code migrations, applied in name order by Kysely's Migrator at start; the same list runs on SQLite and
// PostgreSQL. 0001–0006 use text, integer and real; 0007 widens those on PostgreSQL to SQLite's meaning; later
// migrations take their column types from ./column-types.ts. Never edit a shipped migration: add one.
import type { Kysely, Migration, MigrationProvider } from 'kysely';
import { fleetCoordination } from './migrations/0002-fleet-coordination.js';
import { benchmarkCampaigns } from './migrations/0003-benchmark-campaigns.js';
import { trustAtTheEdges } from './migrations/0004-trust-at-the-edges.js';
import { protobufjsJsonShapes } from './migrations/0005-protobufjs-json-shapes.js';
import { jobMasks } from './migrations/0006-job-masks.js';
import { postgresStorageClasses } from './migrations/0007-postgres-storage-classes.js';
import { campaignJobsByJob } from './migrations/0008-campaign-jobs-by-job.js';
import { fleetDatastats } from './migrations/0009-fleet-datastats.js';
import { federatedRounds } from './migrations/0010-federated-rounds.js';

const initialSchema: Migration = {
  // Migrations must not depend on the current `DB` type, which describes only the latest schema.
  async up(db: Kysely<unknown>): Promise<void> {
    await db.schema
      .createTable('enrollment_tokens')
      .addColumn('id', 'text', (c) => c.primaryKey())
      .addColumn('token_hash', 'text', (c) => c.notNull().unique())
      .addColumn('max_uses', 'integer', (c) => c.notNull())
      .addColumn('use_count', 'integer', (c) => c.notNull().defaultTo(0))
      .addColumn('expires_at', 'text', (c) => c.notNull())
      .addColumn('revoked_at', 'text')
      .addColumn('created_at', 'text', (c) => c.notNull())
      .execute();

    await db.schema
      .createTable('devices')
      .addColumn('id', 'text', (c) => c.primaryKey())
      .addColumn('display_name', 'text', (c) => c.notNull())
      .addColumn('facts_json', 'text', (c) => c.notNull())
      .addColumn('chosen_backend', 'text', (c) => c.notNull())
      .addColumn('state', 'text', (c) => c.notNull())
      .addColumn('online_until', 'text')
      .addColumn('last_seen', 'text')
      .addColumn('telemetry_json', 'text')
      .addColumn('credential_hash', 'text', (c) => c.notNull())
      .addColumn('enrollment_token_id', 'text', (c) => c.references('enrollment_tokens.id').onDelete('set null'))
      .addColumn('created_at', 'text', (c) => c.notNull())
      .execute();
    await db.schema.createIndex('devices_state_online_until').on('devices').columns(['state', 'online_until']).execute();

    await db.schema
      .createTable('jobs')
      .addColumn('id', 'text', (c) => c.primaryKey())
      .addColumn('seq', 'integer', (c) => c.notNull())
      .addColumn('name', 'text', (c) => c.notNull())
      .addColumn('state', 'text', (c) => c.notNull())
      .addColumn('spec_json', 'text', (c) => c.notNull())
      .addColumn('attempt', 'integer', (c) => c.notNull())
      .addColumn('device_id', 'text', (c) => c.references('devices.id').onDelete('set null'))
      .addColumn('waiting_reason', 'text')
      .addColumn('created_at', 'text', (c) => c.notNull())
      .addColumn('updated_at', 'text', (c) => c.notNull())
      .addColumn('finished_at', 'text')
      .execute();
    await db.schema.createIndex('jobs_state_seq').on('jobs').columns(['state', 'seq']).execute();
    await db.schema.createIndex('jobs_device_id').on('jobs').column('device_id').execute();

    await db.schema
      .createTable('job_progress')
      .addColumn('job_id', 'text', (c) => c.notNull().references('jobs.id').onDelete('cascade'))
      .addColumn('attempt', 'integer', (c) => c.notNull())
      .addColumn('sequence', 'integer', (c) => c.notNull())
      .addColumn('device_id', 'text', (c) => c.notNull())
      .addColumn('epoch', 'integer', (c) => c.notNull())
      .addColumn('step', 'integer', (c) => c.notNull())
      .addColumn('loss', 'real', (c) => c.notNull())
      .addColumn('report_json', 'text', (c) => c.notNull())
      .addColumn('received_at', 'text', (c) => c.notNull())
      .addPrimaryKeyConstraint('job_progress_pk', ['job_id', 'attempt', 'sequence'])
      .execute();

    await db.schema
      .createTable('job_results')
      .addColumn('job_id', 'text', (c) => c.notNull().references('jobs.id').onDelete('cascade'))
      .addColumn('attempt', 'integer', (c) => c.notNull())
      .addColumn('device_id', 'text', (c) => c.notNull())
      .addColumn('outcome', 'integer', (c) => c.notNull())
      .addColumn('test_accuracy', 'real', (c) => c.notNull())
      .addColumn('result_json', 'text', (c) => c.notNull())
      .addColumn('received_at', 'text', (c) => c.notNull())
      .addPrimaryKeyConstraint('job_results_pk', ['job_id', 'attempt'])
      .execute();
  },
};

export const MIGRATIONS: Readonly<Record<string, Migration>> = {
  '0001_initial_schema': initialSchema,
  '0002_fleet_coordination': fleetCoordination,
  '0003_benchmark_campaigns': benchmarkCampaigns,
  '0004_trust_at_the_edges': trustAtTheEdges,
  '0005_protobufjs_json_shapes': protobufjsJsonShapes,
  '0006_job_masks': jobMasks,
  '0007_postgres_storage_classes': postgresStorageClasses,
  '0008_campaign_jobs_by_job': campaignJobsByJob,
  '0009_fleet_datastats': fleetDatastats,
  '0010_federated_rounds': federatedRounds,
};

export const inCodeMigrationProvider: MigrationProvider = {
  getMigrations: async () => ({ ...MIGRATIONS }),
};
