// Campaign rows, their jobs (cell × device) and recorded results.
import { Injectable } from '@nestjs/common';
import type { Selectable, Updateable } from 'kysely';
import type { CampaignJobTable, CampaignResultTable, CampaignState, CampaignTable } from '../storage/database.schema.js';
import { DatabaseService } from '../storage/database.service.js';

export type CampaignRow = Selectable<CampaignTable>;
export type CampaignJobRow = Selectable<CampaignJobTable>;
export type CampaignResultRow = Selectable<CampaignResultTable>;

/** Rows per multi-row INSERT (well under SQLite's bound-parameter limit). */
const INSERT_CHUNK_ROWS = 500;

@Injectable()
export class CampaignRepository {
  constructor(private readonly database: DatabaseService) {}

  async insert(row: CampaignRow): Promise<void> {
    await this.database.db.insertInto('campaigns').values(row).execute();
  }

  async insertJob(row: CampaignJobRow): Promise<void> {
    await this.database.db.insertInto('campaign_jobs').values(row).execute();
  }

  /** Inserts a batch of campaign jobs in one transaction (callers keep batches to one event-loop turn). */
  async insertJobs(rows: readonly CampaignJobRow[]): Promise<void> {
    if (rows.length === 0) return;
    await this.database.db.transaction().execute(async (trx) => {
      for (let start = 0; start < rows.length; start += INSERT_CHUNK_ROWS) {
        await trx.insertInto('campaign_jobs').values(rows.slice(start, start + INSERT_CHUNK_ROWS)).execute();
      }
    });
  }

  async findById(id: string): Promise<CampaignRow | undefined> {
    return this.database.db.selectFrom('campaigns').selectAll().where('id', '=', id).executeTakeFirst();
  }

  async list(): Promise<CampaignRow[]> {
    return this.database.db.selectFrom('campaigns').selectAll().orderBy('created_at').orderBy('id').execute();
  }

  async listIdsInState(state: CampaignState): Promise<string[]> {
    const rows = await this.database.db.selectFrom('campaigns').select('id').where('state', '=', state).execute();
    return rows.map((row) => row.id);
  }

  /** Applies `changes` when the campaign is in one of `from`; false when it moved on. */
  async transition(id: string, from: readonly CampaignState[], changes: Updateable<CampaignTable>): Promise<boolean> {
    const result = await this.database.db
      .updateTable('campaigns')
      .set(changes)
      .where('id', '=', id)
      .where('state', 'in', from)
      .executeTakeFirst();
    return result.numUpdatedRows > 0n;
  }

  async listJobs(campaignId: string): Promise<CampaignJobRow[]> {
    return this.database.db
      .selectFrom('campaign_jobs')
      .selectAll()
      .where('campaign_id', '=', campaignId)
      .orderBy('created_at')
      .orderBy('cell_id')
      .execute();
  }

  /** The campaign a job belongs to, if any. */
  async findCampaignIdOfJob(jobId: string): Promise<string | undefined> {
    const row = await this.database.db.selectFrom('campaign_jobs').select('campaign_id').where('job_id', '=', jobId).executeTakeFirst();
    return row?.campaign_id;
  }

  async repin(campaignId: string, jobId: string, deviceId: string): Promise<void> {
    await this.database.db
      .updateTable('campaign_jobs')
      .set({ pinned_device_id: deviceId })
      .where('campaign_id', '=', campaignId)
      .where('job_id', '=', jobId)
      .execute();
  }

  /** Stores a result once per (campaign, job); false when it was already recorded. */
  async insertResult(row: CampaignResultRow): Promise<boolean> {
    const result = await this.database.db
      .insertInto('campaign_results')
      .values(row)
      .onConflict((oc) => oc.columns(['campaign_id', 'job_id']).doNothing())
      .executeTakeFirst();
    return (result.numInsertedOrUpdatedRows ?? 0n) > 0n;
  }

  async listResults(campaignId: string): Promise<CampaignResultRow[]> {
    return this.database.db
      .selectFrom('campaign_results')
      .selectAll()
      .where('campaign_id', '=', campaignId)
      .orderBy('recorded_at')
      .orderBy('job_id')
      .execute();
  }
}
