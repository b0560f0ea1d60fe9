import { Injectable } from '@nestjs/common';
import type { Selectable } from 'kysely';
import type { JobCheckpointTable } from '../storage/database.schema.js';
import { DatabaseService } from '../storage/database.service.js';

export type JobCheckpointRow = Selectable<JobCheckpointTable>;

@Injectable()
export class CheckpointRepository {
  constructor(private readonly database: DatabaseService) {}

  /** Records a committed checkpoint of a job; false when (job, checkpoint) was recorded already. */
  async insert(row: JobCheckpointRow): Promise<boolean> {
    const result = await this.database.db
      .insertInto('job_checkpoints')
      .values(row)
      .onConflict((oc) => oc.columns(['job_id', 'checkpoint_id']).doNothing())
      .executeTakeFirst();
    return (result.numInsertedOrUpdatedRows ?? 0n) > 0n;
  }

  async find(jobId: string, checkpointId: string): Promise<JobCheckpointRow | undefined> {
    return this.database.db
      .selectFrom('job_checkpoints')
      .selectAll()
      .where('job_id', '=', jobId)
      .where('checkpoint_id', '=', checkpointId)
      .executeTakeFirst();
  }

  /** The job's checkpoint furthest into training (latest commit among equal steps). */
  async findLatest(jobId: string): Promise<JobCheckpointRow | undefined> {
    return this.database.db
      .selectFrom('job_checkpoints')
      .selectAll()
      .where('job_id', '=', jobId)
      .orderBy('step', 'desc')
      .orderBy('created_at', 'desc')
      .executeTakeFirst();
  }

  async list(jobId: string): Promise<JobCheckpointRow[]> {
    return this.database.db
      .selectFrom('job_checkpoints')
      .selectAll()
      .where('job_id', '=', jobId)
      .orderBy('step')
      .orderBy('created_at')
      .execute();
  }
}
