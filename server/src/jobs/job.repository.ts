import { Injectable } from '@nestjs/common';
import type { Selectable, Updateable } from 'kysely';
import type { JobState, JobTable } from '../storage/database.schema.js';
import { DatabaseService } from '../storage/database.service.js';

export type JobRow = Selectable<JobTable>;

@Injectable()
export class JobRepository {
  constructor(private readonly database: DatabaseService) {}

  /** Inserts a job behind every existing one (its `seq` is computed by the same statement). */
  async insert(row: Omit<JobRow, 'seq'>): Promise<void> {
    await this.database.db
      .insertInto('jobs')
      .values((eb) => ({
        ...row,
        seq: eb
          .selectFrom('jobs')
          .select((sub) => sub(sub.fn.coalesce(sub.fn.max('seq'), sub.lit(0)), '+', sub.lit(1)).as('next')),
      }))
      .execute();
  }

  async findById(id: string): Promise<JobRow | undefined> {
    return this.database.db.selectFrom('jobs').selectAll().where('id', '=', id).executeTakeFirst();
  }

  async list(): Promise<JobRow[]> {
    return this.database.db.selectFrom('jobs').selectAll().orderBy('seq').execute();
  }

  async listQueued(): Promise<JobRow[]> {
    return this.database.db
      .selectFrom('jobs')
      .selectAll()
      .where('state', '=', 'queued')
      .orderBy('seq')
      .execute();
  }

  /** Jobs held by a device (any of `states`), or by any device that is offline when `deviceId` is null. */
  async listHeld(states: readonly JobState[], deviceId: string | null): Promise<JobRow[]> {
    let query = this.database.db.selectFrom('jobs').selectAll('jobs').where('jobs.state', 'in', states);
    query =
      deviceId === null
        ? query.innerJoin('devices', 'devices.id', 'jobs.device_id').where('devices.state', '=', 'offline')
        : query.where('jobs.device_id', '=', deviceId);
    return query.orderBy('jobs.seq').execute();
  }

  /**
   * Applies `changes` when the job is in one of `from` (and, when given, at `attempt` on `deviceId`);
   * false when the job moved on meanwhile.
   */
  async transition(
    id: string,
    from: readonly JobState[],
    changes: Updateable<JobTable>,
    holder?: { readonly deviceId: string; readonly attempt: number },
  ): Promise<boolean> {
    let query = this.database.db.updateTable('jobs').set(changes).where('id', '=', id).where('state', 'in', from);
    if (holder) query = query.where('device_id', '=', holder.deviceId).where('attempt', '=', holder.attempt);
    const result = await query.executeTakeFirst();
    return result.numUpdatedRows > 0n;
  }

  async setWaitingReason(ids: readonly string[], reason: string): Promise<void> {
    if (ids.length === 0) return;
    await this.database.db
      .updateTable('jobs')
      .set({ waiting_reason: reason })
      .where('id', 'in', ids)
      .where('state', '=', 'queued')
      .execute();
  }

  async countByState(): Promise<Record<JobState, number>> {
    const rows = await this.database.db
      .selectFrom('jobs')
      .select(['state', (eb) => eb.fn.countAll<number>().as('count')])
      .groupBy('state')
      .execute();
    const counts: Record<JobState, number> = { queued: 0, assigned: 0, running: 0, succeeded: 0, failed: 0, cancelled: 0 };
    for (const row of rows) counts[row.state] = Number(row.count);
    return counts;
  }
}
