// Progress reports and results. Both inserts ignore a duplicate key, so a resend after a reconnect is a no-op.
import { Injectable } from '@nestjs/common';
import type { Selectable } from 'kysely';
import type { JobProgressTable, JobResultTable } from '../storage/database.schema.js';
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

  async listProgress(jobId: string): Promise<JobProgressRow[]> {
    return this.database.db
      .selectFrom('job_progress')
      .selectAll()
      .where('job_id', '=', jobId)
      .orderBy('attempt')
      .orderBy('sequence')
      .execute();
  }

  /** True when the row was new; false for a duplicate (job, attempt). */
  async insertResult(row: JobResultRow): Promise<boolean> {
    const result = await this.database.db
      .insertInto('job_results')
      .values(row)
      .onConflict((oc) => oc.columns(['job_id', 'attempt']).doNothing())
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
