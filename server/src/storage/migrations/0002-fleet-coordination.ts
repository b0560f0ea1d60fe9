// Fleet coordination: operator API keys, token labels, device labels / revocation / telemetry history, job
// selectors, leases and checkpoints. Columns added to existing tables carry defaults so old rows stay valid.
import type { Kysely, Migration } from 'kysely';

export const fleetCoordination: Migration = {
  async up(db: Kysely<unknown>): Promise<void> {
    await db.schema
      .createTable('api_keys')
      .addColumn('id', 'text', (c) => c.primaryKey())
      .addColumn('name', 'text', (c) => c.notNull())
      .addColumn('prefix', 'text', (c) => c.notNull())
      .addColumn('hash', 'text', (c) => c.notNull().unique())
      .addColumn('created_at', 'text', (c) => c.notNull())
      .addColumn('revoked_at', 'text')
      .execute();

    await db.schema.alterTable('enrollment_tokens').addColumn('prefix', 'text', (c) => c.notNull().defaultTo('')).execute();
    await db.schema.alterTable('enrollment_tokens').addColumn('labels_json', 'text', (c) => c.notNull().defaultTo('{}')).execute();

    await db.schema.alterTable('devices').addColumn('labels_json', 'text', (c) => c.notNull().defaultTo('{}')).execute();
    await db.schema.alterTable('devices').addColumn('revoked_at', 'text').execute();

    await db.schema
      .createTable('device_telemetry')
      .addColumn('id', 'text', (c) => c.primaryKey())
      .addColumn('device_id', 'text', (c) => c.notNull().references('devices.id').onDelete('cascade'))
      .addColumn('recorded_at', 'text', (c) => c.notNull())
      .addColumn('telemetry_json', 'text', (c) => c.notNull())
      .execute();
    await db.schema
      .createIndex('device_telemetry_device_recorded')
      .on('device_telemetry')
      .columns(['device_id', 'recorded_at'])
      .execute();

    await db.schema.alterTable('jobs').addColumn('selector_json', 'text', (c) => c.notNull().defaultTo('{}')).execute();
    await db.schema.alterTable('jobs').addColumn('max_attempts', 'integer', (c) => c.notNull().defaultTo(3)).execute();
    await db.schema
      .alterTable('jobs')
      .addColumn('checkpoint_every_steps', 'integer', (c) => c.notNull().defaultTo(0))
      .execute();
    await db.schema.alterTable('jobs').addColumn('memory_estimate_json', 'text').execute();
    await db.schema.alterTable('jobs').addColumn('lease_expires_at', 'text').execute();
    await db.schema.alterTable('jobs').addColumn('previous_device_id', 'text').execute();
    await db.schema.createIndex('jobs_state_lease').on('jobs').columns(['state', 'lease_expires_at']).execute();

    await db.schema
      .createTable('job_checkpoints')
      .addColumn('job_id', 'text', (c) => c.notNull().references('jobs.id').onDelete('cascade'))
      .addColumn('checkpoint_id', 'text', (c) => c.notNull())
      .addColumn('attempt', 'integer', (c) => c.notNull())
      .addColumn('device_id', 'text', (c) => c.notNull())
      .addColumn('total_bytes', 'integer', (c) => c.notNull())
      .addColumn('step', 'integer', (c) => c.notNull())
      .addColumn('epoch', 'integer', (c) => c.notNull())
      .addColumn('created_at', 'text', (c) => c.notNull())
      .addPrimaryKeyConstraint('job_checkpoints_pk', ['job_id', 'checkpoint_id'])
      .execute();
  },
};
