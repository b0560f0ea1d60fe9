// Masks on the wire: the pieces of mask updates as they arrive (kept as a digest once their update is applied, so a
// resend stays idempotent), each applied update with its churn and ITOP exploration rate, and every layer of an
// update as it arrived (full masks every K updates, pruned/grown deltas between them), base64 text so the same
// schema runs on SQLite and PostgreSQL.
import type { Kysely, Migration } from 'kysely';

export const jobMasks: Migration = {
  async up(db: Kysely<unknown>): Promise<void> {
    await db.schema
      .createTable('mask_chunks')
      .addColumn('job_id', 'text', (c) => c.notNull().references('jobs.id').onDelete('cascade'))
      .addColumn('attempt', 'integer', (c) => c.notNull())
      .addColumn('update_index', 'integer', (c) => c.notNull())
      .addColumn('chunk_index', 'integer', (c) => c.notNull())
      .addColumn('chunk_count', 'integer', (c) => c.notNull())
      .addColumn('total_bytes', 'integer', (c) => c.notNull())
      .addColumn('checksum', 'integer', (c) => c.notNull())
      .addColumn('digest', 'text', (c) => c.notNull())
      .addColumn('data', 'text')
      .addColumn('received_at', 'text', (c) => c.notNull())
      .addPrimaryKeyConstraint('mask_chunks_pk', ['job_id', 'attempt', 'update_index', 'chunk_index'])
      .execute();

    await db.schema
      .createTable('mask_updates')
      .addColumn('job_id', 'text', (c) => c.notNull().references('jobs.id').onDelete('cascade'))
      .addColumn('attempt', 'integer', (c) => c.notNull())
      .addColumn('update_index', 'integer', (c) => c.notNull())
      .addColumn('step', 'integer', (c) => c.notNull())
      .addColumn('epoch', 'integer', (c) => c.notNull())
      .addColumn('state', 'text', (c) => c.notNull())
      .addColumn('reason', 'text')
      .addColumn('all_full', 'integer', (c) => c.notNull())
      .addColumn('active', 'integer', (c) => c.notNull())
      .addColumn('total', 'integer', (c) => c.notNull())
      .addColumn('pruned', 'integer')
      .addColumn('grown', 'integer')
      .addColumn('churn', 'real')
      .addColumn('ever_active', 'integer')
      .addColumn('itop_rate', 'real')
      .addColumn('stored_bytes', 'integer', (c) => c.notNull())
      .addColumn('received_at', 'text', (c) => c.notNull())
      .addPrimaryKeyConstraint('mask_updates_pk', ['job_id', 'attempt', 'update_index'])
      .execute();

    await db.schema
      .createTable('mask_layers')
      .addColumn('job_id', 'text', (c) => c.notNull().references('jobs.id').onDelete('cascade'))
      .addColumn('attempt', 'integer', (c) => c.notNull())
      .addColumn('update_index', 'integer', (c) => c.notNull())
      .addColumn('position', 'integer', (c) => c.notNull())
      .addColumn('layer', 'text', (c) => c.notNull())
      .addColumn('shape_json', 'text', (c) => c.notNull())
      .addColumn('size', 'integer', (c) => c.notNull())
      .addColumn('active', 'integer', (c) => c.notNull())
      .addColumn('checksum', 'integer', (c) => c.notNull())
      .addColumn('form', 'integer', (c) => c.notNull())
      .addColumn('data', 'text', (c) => c.notNull())
      .addColumn('pruned', 'text', (c) => c.notNull())
      .addColumn('grown', 'text', (c) => c.notNull())
      .addPrimaryKeyConstraint('mask_layers_pk', ['job_id', 'attempt', 'update_index', 'position'])
      .execute();
  },
};
