// Registered data sets, pieces of forgetting statistics, assembled contributions and removal sets (migration 0009).
// Steps that must not interleave (assembling a report, numbering a removal set) run in DatabaseService.serialized
// and take its transaction.
import { Injectable } from '@nestjs/common';
import type { Insertable, Kysely, Selectable, Transaction } from 'kysely';
import type {
  DB,
  DatastatsDatasetTable,
  ForgettingChunkTable,
  ForgettingContributionTable,
  RemovalSetTable,
} from '../storage/database.schema.js';
import { DatabaseService } from '../storage/database.service.js';

export type DatasetRow = Selectable<DatastatsDatasetTable>;
export type ForgettingChunkRow = Selectable<ForgettingChunkTable>;
export type ContributionRow = Selectable<ForgettingContributionTable>;
export type RemovalSetRow = Selectable<RemovalSetTable>;

/** A contribution without its statistics blob: enough to select, list and count. */
export type ContributionSummaryRow = Omit<ContributionRow, 'stats'>;

export interface ReportKey {
  readonly jobId: string;
  readonly attempt: number;
  readonly epoch: number;
}

/** Job ids bound per statement (well under SQLite's and PostgreSQL's parameter limits). */
const IDS_PER_QUERY = 500;

const SUMMARY_COLUMNS = [
  'job_id',
  'attempt',
  'epoch',
  'device_id',
  'content_hash',
  'epochs_observed',
  'final',
  'covered',
  'total_bytes',
  'checksum',
  'received_at',
] as const;

type Db = Kysely<DB> | Transaction<DB>;

@Injectable()
export class DatastatsRepository {
  constructor(private readonly database: DatabaseService) {}

  /** Runs `work` with no other holder of `key` in between (see DatabaseService.serialized). */
  serialized<T>(key: string, work: (trx: Transaction<DB>) => Promise<T>): Promise<T> {
    return this.database.serialized(key, work);
  }

  // --- data sets --------------------------------------------------------------------------------------------------

  /** True when the row was new; false when the hash was registered already. */
  async insertDataset(row: DatasetRow): Promise<boolean> {
    const result = await this.database.db
      .insertInto('datastats_datasets')
      .values(row)
      .onConflict((oc) => oc.column('content_hash').doNothing())
      .executeTakeFirst();
    return (result.numInsertedOrUpdatedRows ?? 0n) > 0n;
  }

  async findDataset(contentHash: string, db: Db = this.database.db): Promise<DatasetRow | undefined> {
    return db.selectFrom('datastats_datasets').selectAll().where('content_hash', '=', contentHash).executeTakeFirst();
  }

  async listDatasetsNamed(name: string): Promise<DatasetRow[]> {
    return this.database.db.selectFrom('datastats_datasets').selectAll().where('name', '=', name).orderBy('registered_at').orderBy('content_hash').execute();
  }

  async listDatasets(): Promise<DatasetRow[]> {
    return this.database.db.selectFrom('datastats_datasets').selectAll().orderBy('name').orderBy('registered_at').orderBy('content_hash').execute();
  }

  // --- pieces -----------------------------------------------------------------------------------------------------

  /** True when the piece was new; false when its key was taken. */
  async insertChunk(row: Insertable<ForgettingChunkTable>): Promise<boolean> {
    const result = await this.database.db
      .insertInto('forgetting_chunks')
      .values(row)
      .onConflict((oc) => oc.columns(['job_id', 'attempt', 'epoch', 'chunk_index']).doNothing())
      .executeTakeFirst();
    return (result.numInsertedOrUpdatedRows ?? 0n) > 0n;
  }

  async findChunk(key: ReportKey, chunkIndex: number): Promise<ForgettingChunkRow | undefined> {
    return this.database.db.selectFrom('forgetting_chunks').selectAll().where((eb) => eb.and(keyOf(key))).where('chunk_index', '=', chunkIndex).executeTakeFirst();
  }

  /** The report's pieces without their data (to count and compare before reading them). */
  async listChunkHeaders(db: Db, key: ReportKey): Promise<Omit<ForgettingChunkRow, 'data'>[]> {
    return db
      .selectFrom('forgetting_chunks')
      .select(['job_id', 'attempt', 'epoch', 'chunk_index', 'chunk_count', 'total_bytes', 'checksum', 'digest', 'received_at'])
      .where((eb) => eb.and(keyOf(key)))
      .orderBy('chunk_index')
      .execute();
  }

  async listChunks(db: Db, key: ReportKey): Promise<ForgettingChunkRow[]> {
    return db.selectFrom('forgetting_chunks').selectAll().where((eb) => eb.and(keyOf(key))).orderBy('chunk_index').execute();
  }

  async deleteChunks(db: Db | undefined, key: ReportKey): Promise<void> {
    await (db ?? this.database.db).deleteFrom('forgetting_chunks').where((eb) => eb.and(keyOf(key))).execute();
  }

  // --- contributions ----------------------------------------------------------------------------------------------

  async findContribution(key: ReportKey, db: Db = this.database.db): Promise<ContributionRow | undefined> {
    return db.selectFrom('forgetting_contributions').selectAll().where((eb) => eb.and(keyOf(key))).executeTakeFirst();
  }

  async insertContribution(db: Db, row: ContributionRow): Promise<void> {
    await db.insertInto('forgetting_contributions').values(row).execute();
  }

  /** How many contributions a data set has and when the last arrived: what an in-memory aggregate is checked by. */
  async contributionStamp(contentHash: string): Promise<{ count: number; last: string | null }> {
    const row = await this.database.db
      .selectFrom('forgetting_contributions')
      .select((eb) => [eb.fn.countAll<number>().as('count'), eb.fn.max('received_at').as('last')])
      .where('content_hash', '=', contentHash)
      .executeTakeFirstOrThrow();
    return { count: Number(row.count), last: row.last ?? null };
  }

  /** Every contribution of a data set without its blob, by job, attempt, epoch. */
  async listContributionSummaries(contentHash: string): Promise<ContributionSummaryRow[]> {
    return this.database.db
      .selectFrom('forgetting_contributions')
      .select([...SUMMARY_COLUMNS])
      .where('content_hash', '=', contentHash)
      .orderBy('job_id')
      .orderBy('attempt')
      .orderBy('epoch')
      .execute();
  }

  /** The blobs of these reports (the selected ones), read a page of jobs at a time. */
  async listContributionStats(contentHash: string, keys: readonly ReportKey[]): Promise<ContributionRow[]> {
    const rows: ContributionRow[] = [];
    for (let start = 0; start < keys.length; start += IDS_PER_QUERY) {
      const page = keys.slice(start, start + IDS_PER_QUERY);
      const wanted = new Set(page.map((key) => `${key.jobId}|${key.attempt}|${key.epoch}`));
      const candidates = await this.database.db
        .selectFrom('forgetting_contributions')
        .selectAll()
        .where('content_hash', '=', contentHash)
        .where('job_id', 'in', [...new Set(page.map((key) => key.jobId))])
        .execute();
      rows.push(...candidates.filter((row) => wanted.has(`${row.job_id}|${row.attempt}|${row.epoch}`)));
    }
    return rows;
  }

  // --- removal sets -----------------------------------------------------------------------------------------------

  async maxRemovalSetVersion(db: Db, contentHash: string): Promise<number> {
    const row = await db
      .selectFrom('removal_sets')
      .select((eb) => eb.fn.max('version').as('version'))
      .where('content_hash', '=', contentHash)
      .executeTakeFirstOrThrow();
    return Number(row.version ?? 0);
  }

  async insertRemovalSet(db: Db, row: RemovalSetRow): Promise<void> {
    await db.insertInto('removal_sets').values(row).execute();
  }

  async findRemovalSet(id: string): Promise<RemovalSetRow | undefined> {
    return this.database.db.selectFrom('removal_sets').selectAll().where('id', '=', id).executeTakeFirst();
  }

  /** The newest set of a data set (highest version). */
  async latestRemovalSet(contentHash: string): Promise<RemovalSetRow | undefined> {
    return this.database.db
      .selectFrom('removal_sets')
      .selectAll()
      .where('content_hash', '=', contentHash)
      .orderBy('version', 'desc')
      .limit(1)
      .executeTakeFirst();
  }

  /** Sets of one data set (or of all), oldest first. */
  async listRemovalSets(contentHash?: string): Promise<RemovalSetRow[]> {
    let query = this.database.db.selectFrom('removal_sets').selectAll();
    if (contentHash !== undefined) query = query.where('content_hash', '=', contentHash);
    return query.orderBy('content_hash').orderBy('version').execute();
  }

  /** Sets whose data set has this name, newest first. */
  async listRemovalSetsNamed(name: string): Promise<RemovalSetRow[]> {
    return this.database.db
      .selectFrom('removal_sets')
      .innerJoin('datastats_datasets', 'datastats_datasets.content_hash', 'removal_sets.content_hash')
      .selectAll('removal_sets')
      .where('datastats_datasets.name', '=', name)
      .orderBy('removal_sets.created_at', 'desc')
      .orderBy('removal_sets.version', 'desc')
      .execute();
  }
}

function keyOf(key: ReportKey) {
  return { job_id: key.jobId, attempt: key.attempt, epoch: key.epoch };
}
