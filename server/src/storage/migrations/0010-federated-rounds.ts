// Federated sparse training (issue 18): federated jobs (spec, server-optimizer state, the round in progress), their
// rounds (the global model each round starts from, as the engine's encoded sparse tensor set in base64, and the
// round's metrics), the stable device of each data shard (client), each round's participants (one client task job
// each, with its applied update) and the pieces of updates while they arrive. Column types from ../column-types.ts.
import type { Kysely, Migration } from 'kysely';
import { FLOAT_COLUMN, INTEGER_COLUMN, textColumn } from '../column-types.js';

export const federatedRounds: Migration = {
  async up(db: Kysely<unknown>): Promise<void> {
    const text = textColumn(db);
    await db.schema
      .createTable('federated_jobs')
      .addColumn('id', text, (c) => c.primaryKey())
      .addColumn('name', text, (c) => c.notNull())
      .addColumn('state', text, (c) => c.notNull())
      .addColumn('spec_json', text, (c) => c.notNull())
      .addColumn('current_round', INTEGER_COLUMN, (c) => c.notNull())
      .addColumn('server_state', text)
      .addColumn('reason', text)
      .addColumn('created_at', text, (c) => c.notNull())
      .addColumn('updated_at', text, (c) => c.notNull())
      .addColumn('finished_at', text)
      .execute();
    await db.schema.createIndex('federated_jobs_state').on('federated_jobs').column('state').execute();

    await db.schema
      .createTable('federated_rounds')
      .addColumn('job_id', text, (c) => c.notNull().references('federated_jobs.id').onDelete('cascade'))
      .addColumn('round', INTEGER_COLUMN, (c) => c.notNull())
      .addColumn('state', text, (c) => c.notNull())
      .addColumn('model', text, (c) => c.notNull())
      .addColumn('model_bytes', INTEGER_COLUMN, (c) => c.notNull())
      .addColumn('model_checksum', INTEGER_COLUMN, (c) => c.notNull())
      .addColumn('target_updates', INTEGER_COLUMN, (c) => c.notNull())
      .addColumn('selected', INTEGER_COLUMN, (c) => c.notNull())
      .addColumn('applied', INTEGER_COLUMN, (c) => c.notNull())
      .addColumn('bytes_down', INTEGER_COLUMN, (c) => c.notNull())
      .addColumn('bytes_up', INTEGER_COLUMN, (c) => c.notNull())
      .addColumn('accuracy', FLOAT_COLUMN)
      .addColumn('loss', FLOAT_COLUMN)
      .addColumn('close_reason', text)
      .addColumn('stats_json', text)
      .addColumn('created_at', text, (c) => c.notNull())
      .addColumn('opened_at', text)
      .addColumn('deadline_at', text)
      .addColumn('closed_at', text)
      .addPrimaryKeyConstraint('federated_rounds_pk', ['job_id', 'round'])
      .execute();

    await db.schema
      .createTable('federated_clients')
      .addColumn('job_id', text, (c) => c.notNull().references('federated_jobs.id').onDelete('cascade'))
      .addColumn('client_index', INTEGER_COLUMN, (c) => c.notNull())
      .addColumn('device_id', text, (c) => c.notNull())
      .addColumn('created_at', text, (c) => c.notNull())
      .addPrimaryKeyConstraint('federated_clients_pk', ['job_id', 'client_index'])
      .addUniqueConstraint('federated_clients_device', ['job_id', 'device_id'])
      .execute();

    await db.schema
      .createTable('federated_participants')
      .addColumn('job_id', text, (c) => c.notNull().references('federated_jobs.id').onDelete('cascade'))
      .addColumn('round', INTEGER_COLUMN, (c) => c.notNull())
      .addColumn('client_index', INTEGER_COLUMN, (c) => c.notNull())
      .addColumn('device_id', text, (c) => c.notNull())
      .addColumn('task_job_id', text, (c) => c.notNull().unique())
      .addColumn('state', text, (c) => c.notNull())
      .addColumn('reason', text)
      .addColumn('examples', INTEGER_COLUMN)
      .addColumn('steps_done', INTEGER_COLUMN)
      .addColumn('steps_planned', INTEGER_COLUMN)
      .addColumn('loss', FLOAT_COLUMN)
      .addColumn('bytes_down', INTEGER_COLUMN, (c) => c.notNull())
      .addColumn('bytes_up', INTEGER_COLUMN, (c) => c.notNull())
      .addColumn('update_body', text)
      .addColumn('created_at', text, (c) => c.notNull())
      .addColumn('updated_at', text, (c) => c.notNull())
      .addPrimaryKeyConstraint('federated_participants_pk', ['job_id', 'round', 'client_index'])
      .execute();

    await db.schema
      .createTable('federated_update_chunks')
      .addColumn('job_id', text, (c) => c.notNull().references('federated_jobs.id').onDelete('cascade'))
      .addColumn('round', INTEGER_COLUMN, (c) => c.notNull())
      .addColumn('client_index', INTEGER_COLUMN, (c) => c.notNull())
      .addColumn('chunk_index', INTEGER_COLUMN, (c) => c.notNull())
      .addColumn('chunk_count', INTEGER_COLUMN, (c) => c.notNull())
      .addColumn('total_bytes', INTEGER_COLUMN, (c) => c.notNull())
      .addColumn('checksum', INTEGER_COLUMN, (c) => c.notNull())
      .addColumn('digest', text, (c) => c.notNull())
      .addColumn('data', text, (c) => c.notNull())
      .addColumn('received_at', text, (c) => c.notNull())
      .addPrimaryKeyConstraint('federated_update_chunks_pk', ['job_id', 'round', 'client_index', 'chunk_index'])
      .execute();
  },
};
