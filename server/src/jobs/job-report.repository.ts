// Progress reports and results. Both inserts ignore a duplicate key, so a resend after a reconnect is a no-op.
import { Injectable } from '@nestjs/common';
import type { Selectable, Transaction } from 'kysely';
import type { DB, JobProgressTable, JobResultTable } from '../storage/database.schema.js';
import { DatabaseService } from '../storage/database.service.js';

export type JobProgressRow = Selectable<JobProgressTable>;
export type JobResultRow = Selectable<JobResultTable>;

@Injectable()
export class JobReportRepository {
  constructor(private readonly database: DatabaseService) {}

  /** True when the row was new; false for a duplicate (job, attempt, sequence). */
  async insertProgress(row: JobProgressRow): Promise<boolean> {
    const result = await this.database.db
      .insertInto('job_progress')
      .values(row)
      .onConflict((oc) => oc.columns(['job_id', 'attempt', 'sequence']).doNothing())
      .executeTakeFirst();
    return (result.numInsertedOrUpdatedRows ?? 0n) > 0n;
  }

  async findProgress(jobId: string, attempt: number, sequence: number): Promise<JobProgressRow | undefined> {
    return this.database.db
      .selectFrom('job_progress')
      .selectAll()
      .where('job_id', '=', jobId)
      .where('attempt', '=', attempt)
      .where('sequence', '=', sequence)
      .executeTakeFirst();
  }

  async listProgress(jobId: string): Promise<JobProgressRow[]> {
    return this.database.db
      .selectFrom('job_progress')
      .selectAll()
      .where('job_id', '=', jobId)
      .orderBy('attempt')
      .orderBy('sequence')
      .execute();
  }

  /**
   * Stores the job's result unless it already has one (from any attempt): one statement under the job's result
   * lock, so two results racing for the same job cannot both land (on PostgreSQL the NOT EXISTS of two concurrent
   * statements would not see each other's row). True when the row was stored.
   */
  async insertFirstResult(row: JobResultRow): Promise<boolean> {
    return this.database.serialized(`job_results:${row.job_id}`, (trx) => this.insertUnlessResultExists(trx, row));
  }

  private async insertUnlessResultExists(db: Transaction<DB>, row: JobResultRow): Promise<boolean> {
    const values = db
      .selectNoFrom((eb) => [
        eb.val(row.job_id).as('job_id'),
        eb.val(row.attempt).as('attempt'),
        eb.val(row.device_id).as('device_id'),
        eb.val(row.outcome).as('outcome'),
        eb.val(row.test_accuracy).as('test_accuracy'),
        eb.val(row.result_json).as('result_json'),
        eb.val(row.received_at).as('received_at'),
      ])
      .where((eb) => eb.not(eb.exists(eb.selectFrom('job_results').select('job_id').where('job_id', '=', row.job_id))));
    const result = await db
      .insertInto('job_results')
      .columns(['job_id', 'attempt', 'device_id', 'outcome', 'test_accuracy', 'result_json', 'received_at'])
      .expression(values)
      .executeTakeFirst();
    return (result.numInsertedOrUpdatedRows ?? 0n) > 0n;
  }

  /** The result of the latest attempt that reported one. */
  async findLatestResult(jobId: string): Promise<JobResultRow | undefined> {
    return this.database.db
      .selectFrom('job_results')
      .selectAll()
      .where('job_id', '=', jobId)
      .orderBy('attempt', 'desc')
      .executeTakeFirst();
  }
}
