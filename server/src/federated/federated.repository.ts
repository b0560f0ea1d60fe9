// Federated jobs, rounds, clients, participants and update pieces (migration 0010). Every state change is a
// conditional update, so a round closes once and an update is accepted once, whichever node or restart gets there.
import { Injectable } from '@nestjs/common';
import type { ExpressionBuilder, Insertable, Selectable, Transaction, Updateable } from 'kysely';
import type {
  DB,
  FederatedJobState,
  FederatedJobTable,
  FederatedParticipantState,
  FederatedParticipantTable,
  FederatedRoundState,
  FederatedRoundTable,
  FederatedUpdateChunkTable,
} from '../storage/database.schema.js';
import { DatabaseService } from '../storage/database.service.js';
import { withEvaluationError } from './federated-round-stats.js';

export type FederatedJobRow = Selectable<FederatedJobTable>;
export type FederatedRoundRow = Selectable<FederatedRoundTable>;
/** A round without its model (the model is read through FederatedModels, once per round). */
export type FederatedRoundHeader = Omit<FederatedRoundRow, 'model'>;
/** A job without its server-optimizer state (read only when a round closes). */
export type FederatedJobHeader = Omit<FederatedJobRow, 'server_state'>;

const ROUND_HEADER_COLUMNS = [
  'job_id', 'round', 'state', 'model_bytes', 'model_checksum', 'target_updates', 'selected', 'applied', 'bytes_down',
  'bytes_up', 'accuracy', 'loss', 'close_reason', 'stats_json', 'created_at', 'opened_at', 'deadline_at', 'closed_at',
] as const;
const JOB_HEADER_COLUMNS = ['id', 'name', 'state', 'spec_json', 'current_round', 'reason', 'created_at', 'updated_at', 'finished_at'] as const;
/** A participant without its stored update (read only when its round closes: listUpdateBodies). */
export type FederatedParticipantRow = Omit<Selectable<FederatedParticipantTable>, 'update_body'>;

const PARTICIPANT_COLUMNS = [
  'job_id', 'round', 'client_index', 'device_id', 'task_job_id', 'state', 'reason', 'examples', 'steps_done', 'steps_planned',
  'loss', 'bytes_down', 'bytes_up', 'created_at', 'updated_at',
] as const;
export type FederatedUpdateChunkRow = Selectable<FederatedUpdateChunkTable>;

export interface ParticipantKey {
  readonly jobId: string;
  readonly round: number;
  readonly clientIndex: number;
}

/** What closing a round writes at once: the round's outcome, the next round (or the job's end), the optimizer state. */
export interface RoundClosing {
  readonly jobId: string;
  readonly round: number;
  readonly roundChanges: Updateable<FederatedRoundTable>;
  /** The next round with the new model ('final' after the last round: the job's output model). */
  readonly next: Insertable<FederatedRoundTable>;
  readonly jobChanges: Updateable<FederatedJobTable>;
}

/** The rows of one participant (job, round, client) in the participant and update-piece tables. */
function isParticipant(key: ParticipantKey) {
  return (eb: ExpressionBuilder<DB, 'federated_participants' | 'federated_update_chunks'>) =>
    eb.and([eb('job_id', '=', key.jobId), eb('round', '=', key.round), eb('client_index', '=', key.clientIndex)]);
}

@Injectable()
export class FederatedRepository {
  constructor(private readonly database: DatabaseService) {}

  async insertJob(job: Insertable<FederatedJobTable>, firstRound: Insertable<FederatedRoundTable>): Promise<void> {
    await this.database.db.transaction().execute(async (trx) => {
      await trx.insertInto('federated_jobs').values(job).execute();
      await trx.insertInto('federated_rounds').values(firstRound).execute();
    });
  }

  async findJobHeader(id: string): Promise<FederatedJobHeader | undefined> {
    return this.database.db.selectFrom('federated_jobs').select(JOB_HEADER_COLUMNS).where('id', '=', id).executeTakeFirst();
  }

  async findServerState(id: string): Promise<string | null> {
    const row = await this.database.db.selectFrom('federated_jobs').select('server_state').where('id', '=', id).executeTakeFirst();
    return row?.server_state ?? null;
  }

  async listJobs(state?: FederatedJobState): Promise<FederatedJobHeader[]> {
    let query = this.database.db.selectFrom('federated_jobs').select(JOB_HEADER_COLUMNS).orderBy('created_at');
    if (state) query = query.where('state', '=', state);
    return query.execute();
  }

  async transitionJob(id: string, from: readonly FederatedJobState[], changes: Updateable<FederatedJobTable>): Promise<boolean> {
    const result = await this.database.db
      .updateTable('federated_jobs')
      .set(changes)
      .where('id', '=', id)
      .where('state', 'in', [...from])
      .executeTakeFirst();
    return (result.numUpdatedRows ?? 0n) > 0n;
  }

  async findRound(jobId: string, round: number): Promise<FederatedRoundRow | undefined> {
    return this.database.db.selectFrom('federated_rounds').selectAll().where('job_id', '=', jobId).where('round', '=', round).executeTakeFirst();
  }

  async findRoundHeader(jobId: string, round: number): Promise<FederatedRoundHeader | undefined> {
    return this.database.db.selectFrom('federated_rounds').select(ROUND_HEADER_COLUMNS).where('job_id', '=', jobId).where('round', '=', round).executeTakeFirst();
  }

  /** Every round of the job without its model (metrics only), oldest first. */
  async listRoundSummaries(jobId: string): Promise<FederatedRoundHeader[]> {
    return this.database.db.selectFrom('federated_rounds').select(ROUND_HEADER_COLUMNS).where('job_id', '=', jobId).orderBy('round').execute();
  }

  async transitionRound(jobId: string, round: number, from: readonly FederatedRoundState[], changes: Updateable<FederatedRoundTable>): Promise<boolean> {
    const result = await this.database.db
      .updateTable('federated_rounds')
      .set(changes)
      .where('job_id', '=', jobId)
      .where('round', '=', round)
      .where('state', 'in', [...from])
      .executeTakeFirst();
    return (result.numUpdatedRows ?? 0n) > 0n;
  }

  /** Records a round's held-out accuracy once: a second measurement of the same (job, round) changes nothing. */
  async setRoundAccuracy(jobId: string, round: number, accuracy: number, loss: number): Promise<boolean> {
    const result = await this.database.db
      .updateTable('federated_rounds')
      .set({ accuracy, loss })
      .where('job_id', '=', jobId)
      .where('round', '=', round)
      .where('accuracy', 'is', null)
      .executeTakeFirst();
    return (result.numUpdatedRows ?? 0n) > 0n;
  }

  /** Records why a round's held-out evaluation failed (in its stats), unless it has been measured meanwhile. */
  async setRoundEvaluationError(jobId: string, round: number, message: string): Promise<void> {
    await this.database.db.transaction().execute(async (trx) => {
      const row = await trx
        .selectFrom('federated_rounds')
        .select('stats_json')
        .where('job_id', '=', jobId)
        .where('round', '=', round)
        .where('accuracy', 'is', null)
        .executeTakeFirst();
      if (!row) return;
      await trx
        .updateTable('federated_rounds')
        .set({ stats_json: withEvaluationError(row.stats_json, message) })
        .where('job_id', '=', jobId)
        .where('round', '=', round)
        .where('accuracy', 'is', null)
        .execute();
    });
  }

  /** Model bytes sent down for a round (bytes up are counted with the update's acceptance, `acceptUpdate`). */
  async addRoundBytesDown(jobId: string, round: number, bytes: number): Promise<void> {
    await this.database.db
      .updateTable('federated_rounds')
      .set((eb) => ({ bytes_down: eb('bytes_down', '+', bytes) }))
      .where('job_id', '=', jobId)
      .where('round', '=', round)
      .execute();
  }

  /**
   * Closes an open round in one transaction: false (nothing written) when it was no longer open. The applied
   * participants' updates are kept; the next round is inserted with the new model.
   */
  async closeRound(closing: RoundClosing): Promise<boolean> {
    return this.database.db.transaction().execute(async (trx) => {
      const closed = await trx
        .updateTable('federated_rounds')
        .set(closing.roundChanges)
        .where('job_id', '=', closing.jobId)
        .where('round', '=', closing.round)
        .where('state', '=', 'open')
        .executeTakeFirst();
      if ((closed.numUpdatedRows ?? 0n) === 0n) return false;
      await this.markLeftovers(trx, closing);
      await trx.insertInto('federated_rounds').values(closing.next).execute();
      await trx.updateTable('federated_jobs').set(closing.jobChanges).where('id', '=', closing.jobId).execute();
      await trx.deleteFrom('federated_update_chunks').where('job_id', '=', closing.jobId).where('round', '=', closing.round).execute();
      return true;
    });
  }

  /** Participants still out when their round closed are dropped (their updates, if any arrive, are late). */
  private async markLeftovers(trx: Transaction<DB>, closing: RoundClosing): Promise<void> {
    await trx
      .updateTable('federated_participants')
      .set({ state: 'dropped', reason: 'the round closed before its update arrived', updated_at: String(closing.roundChanges.closed_at ?? '') })
      .where('job_id', '=', closing.jobId)
      .where('round', '=', closing.round)
      .where('state', '=', 'selected')
      .execute();
  }

  async listClients(jobId: string): Promise<Array<{ client_index: number; device_id: string }>> {
    return this.database.db.selectFrom('federated_clients').select(['client_index', 'device_id']).where('job_id', '=', jobId).execute();
  }

  /** False when the shard or the device is taken already. */
  async insertClient(jobId: string, clientIndex: number, deviceId: string, createdAt: string): Promise<boolean> {
    const result = await this.database.db
      .insertInto('federated_clients')
      .values({ job_id: jobId, client_index: clientIndex, device_id: deviceId, created_at: createdAt })
      .onConflict((oc) => oc.doNothing())
      .executeTakeFirst();
    return (result.numInsertedOrUpdatedRows ?? 0n) > 0n;
  }

  async insertParticipant(row: Insertable<FederatedParticipantTable>): Promise<void> {
    await this.database.db.insertInto('federated_participants').values(row).execute();
  }

  async findParticipant(key: ParticipantKey): Promise<FederatedParticipantRow | undefined> {
    return this.database.db
      .selectFrom('federated_participants')
      .select(PARTICIPANT_COLUMNS)
      .where(isParticipant(key))
      .executeTakeFirst();
  }

  async findParticipantByTask(taskJobId: string): Promise<FederatedParticipantRow | undefined> {
    return this.database.db.selectFrom('federated_participants').select(PARTICIPANT_COLUMNS).where('task_job_id', '=', taskJobId).executeTakeFirst();
  }

  async listParticipants(jobId: string, round?: number): Promise<FederatedParticipantRow[]> {
    let query = this.database.db.selectFrom('federated_participants').select(PARTICIPANT_COLUMNS).where('job_id', '=', jobId);
    if (round !== undefined) query = query.where('round', '=', round);
    return query.orderBy('round').orderBy('client_index').execute();
  }

  /** The encoded updates (base64) accepted in a round, by client. */
  async listUpdateBodies(jobId: string, round: number): Promise<Array<{ client_index: number; update_body: string | null }>> {
    return this.database.db
      .selectFrom('federated_participants')
      .select(['client_index', 'update_body'])
      .where('job_id', '=', jobId)
      .where('round', '=', round)
      .where('state', '=', 'updated')
      .orderBy('client_index')
      .execute();
  }

  /**
   * A client's update accepted: the participant becomes 'updated' and its bytes count on the round, in one
   * transaction, so a failure between the two can never leave an applied update uncounted. False when the
   * participant was no longer selected (nothing written).
   */
  async acceptUpdate(key: ParticipantKey, changes: Updateable<FederatedParticipantTable>, bytesUp: number): Promise<boolean> {
    return this.database.db.transaction().execute(async (trx) => {
      const moved = await trx
        .updateTable('federated_participants')
        .set(changes)
        .where(isParticipant(key))
        .where('state', '=', 'selected')
        .executeTakeFirst();
      if ((moved.numUpdatedRows ?? 0n) === 0n) return false;
      await trx
        .updateTable('federated_rounds')
        .set((eb) => ({ bytes_up: eb('bytes_up', '+', bytesUp) }))
        .where('job_id', '=', key.jobId)
        .where('round', '=', key.round)
        .execute();
      return true;
    });
  }

  async transitionParticipant(
    key: ParticipantKey,
    from: readonly FederatedParticipantState[],
    changes: Updateable<FederatedParticipantTable>,
  ): Promise<boolean> {
    const result = await this.database.db
      .updateTable('federated_participants')
      .set(changes)
      .where(isParticipant(key))
      .where('state', 'in', [...from])
      .executeTakeFirst();
    return (result.numUpdatedRows ?? 0n) > 0n;
  }

  async addParticipantBytesDown(key: ParticipantKey, bytes: number): Promise<void> {
    await this.database.db
      .updateTable('federated_participants')
      .set((eb) => ({ bytes_down: eb('bytes_down', '+', bytes) }))
      .where(isParticipant(key))
      .execute();
  }

  /** True when the piece was new; false when its key was taken (the caller compares digests). */
  async insertChunk(row: Insertable<FederatedUpdateChunkTable>): Promise<boolean> {
    const result = await this.database.db
      .insertInto('federated_update_chunks')
      .values(row)
      .onConflict((oc) => oc.columns(['job_id', 'round', 'client_index', 'chunk_index']).doNothing())
      .executeTakeFirst();
    return (result.numInsertedOrUpdatedRows ?? 0n) > 0n;
  }

  async findChunk(key: ParticipantKey, chunkIndex: number): Promise<FederatedUpdateChunkRow | undefined> {
    return this.database.db
      .selectFrom('federated_update_chunks')
      .selectAll()
      .where(isParticipant(key))
      .where('chunk_index', '=', chunkIndex)
      .executeTakeFirst();
  }

  async listChunks(key: ParticipantKey): Promise<FederatedUpdateChunkRow[]> {
    return this.database.db
      .selectFrom('federated_update_chunks')
      .selectAll()
      .where(isParticipant(key))
      .orderBy('chunk_index')
      .execute();
  }

  async deleteChunks(key: ParticipantKey): Promise<void> {
    await this.database.db
      .deleteFrom('federated_update_chunks')
      .where(isParticipant(key))
      .execute();
  }
}
