import { Injectable } from '@nestjs/common';
import { sql, type Selectable, type Updateable } from 'kysely';
import { integer, powerOfTwoChunks, text, valuesList } from '../storage/batch-statements.js';
import type { JobState, JobTable } from '../storage/database.schema.js';
import { DatabaseService } from '../storage/database.service.js';

export type JobRow = Selectable<JobTable>;

/** Who holds an active job: enough to renew its lease. */
export interface HeldJobRef {
  readonly id: string;
  readonly deviceId: string;
  readonly attempt: number;
}

/** Rows per multi-row INSERT (17 columns each, well under SQLite's bound-parameter limit). */
const INSERT_CHUNK_ROWS = 200;
/** Ids per `IN (...)` lookup. */
const SELECT_CHUNK_IDS = 500;
/** Inserts computing `max(seq) + 1` hold this, so concurrent ones (PostgreSQL) never share a seq. */
const JOB_SEQ_LOCK = 'jobs.seq';

@Injectable()
export class JobRepository {
  constructor(private readonly database: DatabaseService) {}

  /** Inserts a job behind every existing one (its `seq` is computed by the same statement, under the seq lock). */
  async insert(row: Omit<JobRow, 'seq'>): Promise<void> {
    await this.database.serialized(JOB_SEQ_LOCK, (trx) =>
      trx
        .insertInto('jobs')
        .values((eb) => ({
          ...row,
          seq: eb
            .selectFrom('jobs')
            .select((sub) => sub(sub.fn.coalesce(sub.fn.max('seq'), sub.lit(0)), '+', sub.lit(1)).as('next')),
        }))
        .execute(),
    );
  }

  /**
   * Inserts jobs behind every existing one, in the order given, in one transaction (one commit for the batch);
   * callers keep batches small enough for one event-loop turn.
   */
  async insertMany(rows: ReadonlyArray<Omit<JobRow, 'seq'>>): Promise<void> {
    if (rows.length === 0) return;
    await this.database.serialized(JOB_SEQ_LOCK, async (trx) => {
      const last = await trx
        .selectFrom('jobs')
        .select((eb) => eb.fn.coalesce(eb.fn.max('seq'), eb.lit(0)).as('seq'))
        .executeTakeFirstOrThrow();
      const first = Number(last.seq) + 1;
      for (let start = 0; start < rows.length; start += INSERT_CHUNK_ROWS) {
        const chunk = rows.slice(start, start + INSERT_CHUNK_ROWS).map((row, index) => ({ ...row, seq: first + start + index }));
        await trx.insertInto('jobs').values(chunk).execute();
      }
    });
  }

  /** The jobs with these ids that exist, in no particular order (one query per few hundred ids). */
  async findByIds(ids: readonly string[]): Promise<JobRow[]> {
    const rows: JobRow[] = [];
    for (let start = 0; start < ids.length; start += SELECT_CHUNK_IDS) {
      rows.push(...(await this.database.db.selectFrom('jobs').selectAll().where('id', 'in', ids.slice(start, start + SELECT_CHUNK_IDS)).execute()));
    }
    return rows;
  }

  async findById(id: string): Promise<JobRow | undefined> {
    return this.database.db.selectFrom('jobs').selectAll().where('id', '=', id).executeTakeFirst();
  }

  async list(state?: JobState): Promise<JobRow[]> {
    let query = this.database.db.selectFrom('jobs').selectAll();
    if (state !== undefined) query = query.where('state', '=', state);
    return query.orderBy('seq').execute();
  }

  /** Up to `limit` queued jobs after `afterSeq`, oldest first (a page of the queue). */
  async listQueuedAfter(afterSeq: number, limit: number): Promise<JobRow[]> {
    return this.database.db
      .selectFrom('jobs')
      .selectAll()
      .where('state', '=', 'queued')
      .where('seq', '>', afterSeq)
      .orderBy('seq')
      .limit(limit)
      .execute();
  }

  /** Jobs in one of `states` held by the device. */
  async listHeld(states: readonly JobState[], deviceId: string): Promise<JobRow[]> {
    return this.database.db
      .selectFrom('jobs')
      .selectAll()
      .where('state', 'in', states)
      .where('device_id', '=', deviceId)
      .orderBy('seq')
      .execute();
  }

  /** Jobs in one of `states` whose lease ended at or before `now` (the lease sweep). */
  async listLeaseExpired(states: readonly JobState[], now: string): Promise<JobRow[]> {
    return this.database.db
      .selectFrom('jobs')
      .selectAll()
      .where('state', 'in', states)
      .where('lease_expires_at', '<=', now)
      .orderBy('seq')
      .execute();
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

  /** The jobs in one of `states` held by any of `deviceIds` (id, holder and attempt only: the heartbeat path). */
  async listHeldRefs(states: readonly JobState[], deviceIds: readonly string[]): Promise<HeldJobRef[]> {
    const refs: HeldJobRef[] = [];
    for (const chunk of powerOfTwoChunks(deviceIds)) {
      const rows = await this.database.db
        .selectFrom('jobs')
        .select(['id', 'device_id', 'attempt'])
        .where('state', 'in', states)
        .where('device_id', 'in', chunk)
        .orderBy('seq')
        .execute();
      for (const row of rows) if (row.device_id !== null) refs.push({ id: row.id, deviceId: row.device_id, attempt: row.attempt });
    }
    return refs;
  }

  /** Renews the leases of the given attempts that are still in one of `states` with that holder; returns how many. */
  async renewLeases(refs: readonly HeldJobRef[], states: readonly JobState[], until: string): Promise<number> {
    let renewed = 0;
    for (const chunk of powerOfTwoChunks(refs)) {
      const holders = valuesList(chunk.map((ref) => [text(ref.id), text(ref.deviceId), integer(ref.attempt)]));
      const result = await this.database.db
        .updateTable('jobs')
        .set({ lease_expires_at: until })
        .where('state', 'in', states)
        .where(sql<boolean>`(id, device_id, attempt) in (select * from ${holders} as holders)`)
        .executeTakeFirst();
      renewed += Number(result.numUpdatedRows);
    }
    return renewed;
  }

  /** Moves every lease of a job in `states` that ends before `until` to `until`; returns how many. */
  async extendLeases(states: readonly JobState[], until: string): Promise<number> {
    const result = await this.database.db
      .updateTable('jobs')
      .set({ lease_expires_at: until })
      .where('state', 'in', states)
      .where((eb) => eb.or([eb('lease_expires_at', 'is', null), eb('lease_expires_at', '<', until)]))
      .executeTakeFirst();
    return Number(result.numUpdatedRows);
  }

  async setWaitingReason(ids: readonly string[], reason: string): Promise<void> {
    if (ids.length === 0) return;
    await this.database.db
      .updateTable('jobs')
      .set({ waiting_reason: reason })
      .where('id', 'in', ids)
      .where('state', '=', 'queued')
      .where((eb) => eb.or([eb('waiting_reason', 'is', null), eb('waiting_reason', '!=', reason)]))
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
