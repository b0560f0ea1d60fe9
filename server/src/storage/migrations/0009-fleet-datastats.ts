// Fleet data efficiency (issue 11): the data sets operators registered (by content hash), the pieces of forgetting
// statistics while they arrive (deleted once assembled, or when they turn out bad), each job's assembled
// contributions (one per job, attempt and epoch, the encoded ForgettingStats as base64), and the immutable removal
// sets cut from the merged statistics (versioned per data set). Column types from ../column-types.ts.
import type { Kysely, Migration } from 'kysely';
import { INTEGER_COLUMN, textColumn } from '../column-types.js';

export const fleetDatastats: Migration = {
  async up(db: Kysely<unknown>): Promise<void> {
    const text = textColumn(db);
    await db.schema
      .createTable('datastats_datasets')
      .addColumn('content_hash', text, (c) => c.primaryKey())
      .addColumn('name', text, (c) => c.notNull())
      .addColumn('size', INTEGER_COLUMN, (c) => c.notNull())
      .addColumn('registered_at', text, (c) => c.notNull())
      .execute();
    await db.schema.createIndex('datastats_datasets_name').on('datastats_datasets').column('name').execute();

    await db.schema
      .createTable('forgetting_chunks')
      .addColumn('job_id', text, (c) => c.notNull().references('jobs.id').onDelete('cascade'))
      .addColumn('attempt', INTEGER_COLUMN, (c) => c.notNull())
      .addColumn('epoch', INTEGER_COLUMN, (c) => c.notNull())
      .addColumn('chunk_index', INTEGER_COLUMN, (c) => c.notNull())
      .addColumn('chunk_count', INTEGER_COLUMN, (c) => c.notNull())
      .addColumn('total_bytes', INTEGER_COLUMN, (c) => c.notNull())
      .addColumn('checksum', INTEGER_COLUMN, (c) => c.notNull())
      .addColumn('digest', text, (c) => c.notNull())
      .addColumn('data', text, (c) => c.notNull())
      .addColumn('received_at', text, (c) => c.notNull())
      .addPrimaryKeyConstraint('forgetting_chunks_pk', ['job_id', 'attempt', 'epoch', 'chunk_index'])
      .execute();

    await db.schema
      .createTable('forgetting_contributions')
      .addColumn('job_id', text, (c) => c.notNull().references('jobs.id').onDelete('cascade'))
      .addColumn('attempt', INTEGER_COLUMN, (c) => c.notNull())
      .addColumn('epoch', INTEGER_COLUMN, (c) => c.notNull())
      .addColumn('device_id', text, (c) => c.notNull())
      .addColumn('content_hash', text, (c) => c.notNull().references('datastats_datasets.content_hash'))
      .addColumn('epochs_observed', INTEGER_COLUMN, (c) => c.notNull())
      .addColumn('final', INTEGER_COLUMN, (c) => c.notNull())
      .addColumn('covered', INTEGER_COLUMN, (c) => c.notNull())
      .addColumn('total_bytes', INTEGER_COLUMN, (c) => c.notNull())
      .addColumn('checksum', INTEGER_COLUMN, (c) => c.notNull())
      .addColumn('stats', text, (c) => c.notNull())
      .addColumn('received_at', text, (c) => c.notNull())
      .addPrimaryKeyConstraint('forgetting_contributions_pk', ['job_id', 'attempt', 'epoch'])
      .execute();
    await db.schema.createIndex('forgetting_contributions_hash').on('forgetting_contributions').column('content_hash').execute();

    await db.schema
      .createTable('removal_sets')
      .addColumn('id', text, (c) => c.primaryKey())
      .addColumn('content_hash', text, (c) => c.notNull().references('datastats_datasets.content_hash'))
      .addColumn('version', INTEGER_COLUMN, (c) => c.notNull())
      .addColumn('rule_json', text, (c) => c.notNull())
      .addColumn('requested_count', INTEGER_COLUMN, (c) => c.notNull())
      .addColumn('removed_count', INTEGER_COLUMN, (c) => c.notNull())
      .addColumn('removed', text, (c) => c.notNull())
      .addColumn('provenance_json', text, (c) => c.notNull())
      .addColumn('created_at', text, (c) => c.notNull())
      .addUniqueConstraint('removal_sets_hash_version', ['content_hash', 'version'])
      .execute();
  },
};
