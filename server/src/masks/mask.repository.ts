// Mask pieces, applied updates and their layers (migration 0005). Inserts of pieces ignore a taken key, so the
// caller compares digests to tell a resend from a conflict.
import { Injectable } from '@nestjs/common';
import type { Insertable, Selectable } from 'kysely';
import type { MaskChunkTable, MaskLayerTable, MaskUpdateTable } from '../storage/database.schema.js';
import { DatabaseService } from '../storage/database.service.js';

export type MaskChunkRow = Selectable<MaskChunkTable>;
export type MaskUpdateRow = Selectable<MaskUpdateTable>;
export type MaskLayerRow = Selectable<MaskLayerTable>;

/** Ids bound per statement (well under SQLite's and PostgreSQL's parameter limits). */
const JOB_IDS_PER_QUERY = 500;

export interface UpdateKey {
  readonly jobId: string;
  readonly attempt: number;
  readonly updateIndex: number;
}

@Injectable()
export class MaskRepository {
  constructor(private readonly database: DatabaseService) {}

  /** True when the piece was new; false when its key was taken. */
  async insertChunk(row: Insertable<MaskChunkTable>): Promise<boolean> {
    const result = await this.database.db
      .insertInto('mask_chunks')
      .values(row)
      .onConflict((oc) => oc.columns(['job_id', 'attempt', 'update_index', 'chunk_index']).doNothing())
      .executeTakeFirst();
    return (result.numInsertedOrUpdatedRows ?? 0n) > 0n;
  }

  async findChunk(key: UpdateKey, chunkIndex: number): Promise<MaskChunkRow | undefined> {
    return this.database.db
      .selectFrom('mask_chunks')
      .selectAll()
      .where('job_id', '=', key.jobId)
      .where('attempt', '=', key.attempt)
      .where('update_index', '=', key.updateIndex)
      .where('chunk_index', '=', chunkIndex)
      .executeTakeFirst();
  }

  /** How many pieces of the update are stored (without reading their data). */
  async countChunks(key: UpdateKey): Promise<number> {
    const row = await this.database.db
      .selectFrom('mask_chunks')
      .select((eb) => eb.fn.countAll<number>().as('count'))
      .where('job_id', '=', key.jobId)
      .where('attempt', '=', key.attempt)
      .where('update_index', '=', key.updateIndex)
      .executeTakeFirstOrThrow();
    return Number(row.count);
  }

  async listChunks(key: UpdateKey): Promise<MaskChunkRow[]> {
    return this.database.db
      .selectFrom('mask_chunks')
      .selectAll()
      .where('job_id', '=', key.jobId)
      .where('attempt', '=', key.attempt)
      .where('update_index', '=', key.updateIndex)
      .orderBy('chunk_index')
      .execute();
  }

  async findUpdate(key: UpdateKey): Promise<MaskUpdateRow | undefined> {
    return this.database.db
      .selectFrom('mask_updates')
      .selectAll()
      .where('job_id', '=', key.jobId)
      .where('attempt', '=', key.attempt)
      .where('update_index', '=', key.updateIndex)
      .executeTakeFirst();
  }

  /** Every update of a job (all attempts), by attempt then index. */
  async listUpdates(jobId: string): Promise<MaskUpdateRow[]> {
    return this.database.db
      .selectFrom('mask_updates')
      .selectAll()
      .where('job_id', '=', jobId)
      .orderBy('attempt')
      .orderBy('update_index')
      .execute();
  }

  /** Every update of these jobs, read in pages of ids (campaign reports). */
  async listUpdatesOfJobs(jobIds: readonly string[]): Promise<MaskUpdateRow[]> {
    const rows: MaskUpdateRow[] = [];
    for (let start = 0; start < jobIds.length; start += JOB_IDS_PER_QUERY) {
      const page = jobIds.slice(start, start + JOB_IDS_PER_QUERY);
      rows.push(
        ...(await this.database.db
          .selectFrom('mask_updates')
          .selectAll()
          .where('job_id', 'in', page)
          .orderBy('job_id')
          .orderBy('attempt')
          .orderBy('update_index')
          .execute()),
      );
    }
    return rows;
  }

  /** Layers of one attempt's updates with index in [from, to], by index then position. */
  async listLayers(jobId: string, attempt: number, from: number, to: number): Promise<MaskLayerRow[]> {
    return this.database.db
      .selectFrom('mask_layers')
      .selectAll()
      .where('job_id', '=', jobId)
      .where('attempt', '=', attempt)
      .where('update_index', '>=', from)
      .where('update_index', '<=', to)
      .orderBy('update_index')
      .orderBy('position')
      .execute();
  }

  /**
   * Records an update with its layers and clears the stored data of its pieces (their digests stay), in one
   * transaction. False when the update was recorded already (a concurrent apply won).
   */
  async insertUpdate(update: Insertable<MaskUpdateTable>, layers: readonly Insertable<MaskLayerTable>[]): Promise<boolean> {
    return this.database.db.transaction().execute(async (trx) => {
      const result = await trx
        .insertInto('mask_updates')
        .values(update)
        .onConflict((oc) => oc.columns(['job_id', 'attempt', 'update_index']).doNothing())
        .executeTakeFirst();
      if ((result.numInsertedOrUpdatedRows ?? 0n) === 0n) return false;
      if (layers.length > 0) await trx.insertInto('mask_layers').values([...layers]).execute();
      await trx
        .updateTable('mask_chunks')
        .set({ data: null })
        .where('job_id', '=', update.job_id)
        .where('attempt', '=', update.attempt)
        .where('update_index', '=', update.update_index)
        .execute();
      return true;
    });
  }
}
