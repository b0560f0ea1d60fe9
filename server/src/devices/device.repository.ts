import { Injectable } from '@nestjs/common';
import { sql, type Selectable, type Updateable } from 'kysely';
import { integer, powerOfTwoChunks, text, valuesList } from '../storage/batch-statements.js';
import type { DeviceState, DeviceTable } from '../storage/database.schema.js';
import { DatabaseService } from '../storage/database.service.js';

export type DeviceRow = Selectable<DeviceTable>;

/** One heartbeat's presence write (a batch holds at most one per device). */
export interface PresenceWrite {
  readonly id: string;
  readonly lastSeen: string;
  /** The new presence deadline; null records the contact only (no deadline, no state change). */
  readonly onlineUntil: string | null;
  /** The latest telemetry sample; null keeps the stored one. */
  readonly telemetryJson: string | null;
  /** true busy, false idle, undefined: a busy device stays busy, any other becomes online. */
  readonly busy: boolean | undefined;
  /** New facts (a Hello); absent keeps the stored ones. */
  readonly facts?: { readonly json: string; readonly chosenBackend: string };
}

/** What a handshake checks of a device. */
export type DeviceCredentialRow = Pick<DeviceRow, 'id' | 'credential_hash' | 'revoked_at'>;

/** A device as it was before a presence write (absent: not registered). */
export interface PresencePrior {
  readonly state: DeviceState;
  readonly revoked: boolean;
}

@Injectable()
export class DeviceRepository {
  constructor(private readonly database: DatabaseService) {}

  async insert(row: DeviceRow): Promise<void> {
    await this.database.db.insertInto('devices').values(row).execute();
  }

  async findById(id: string): Promise<DeviceRow | undefined> {
    return this.database.db.selectFrom('devices').selectAll().where('id', '=', id).executeTakeFirst();
  }

  /** The credential hash and revocation of each listed device that exists, one statement per 256 ids. */
  async findCredentials(ids: readonly string[]): Promise<Map<string, DeviceCredentialRow>> {
    const found = new Map<string, DeviceCredentialRow>();
    for (const chunk of powerOfTwoChunks([...new Set(ids)])) {
      const rows = await this.database.db
        .selectFrom('devices')
        .select(['id', 'credential_hash', 'revoked_at'])
        .where('id', 'in', chunk)
        .execute();
      for (const row of rows) found.set(row.id, row);
    }
    return found;
  }

  async list(): Promise<DeviceRow[]> {
    return this.database.db.selectFrom('devices').selectAll().orderBy('created_at').orderBy('id').execute();
  }

  async update(id: string, changes: Updateable<DeviceTable>): Promise<void> {
    await this.database.db.updateTable('devices').set(changes).where('id', '=', id).execute();
  }

  /**
   * Writes a batch of heartbeats or hellos (at most one per device), a read and an update per 256, and returns each
   * device's row as it was before. Revoked devices are not written. `busy` undefined keeps a busy device busy and
   * makes any other online: decided by the row as it is when written, so a device reserved for a job meanwhile (on any
   * node) is never turned idle by a heartbeat that read it before.
   */
  async recordPresence(writes: readonly PresenceWrite[]): Promise<Map<string, PresencePrior>> {
    const prior = new Map<string, PresencePrior>();
    // No transaction: a heartbeat's answer waits for this (on PostgreSQL BEGIN and COMMIT are two more round trips).
    // A state change between the read and the write (the sweep, on another node) costs at most one DeviceAvailable
    // too many or too few; the next heartbeat or Hello sets it right.
    const db = this.database.db;
    for (const chunk of powerOfTwoChunks(writes)) {
      const rows = await db
        .selectFrom('devices')
        .select(['id', 'state', 'revoked_at'])
        .where('id', 'in', chunk.map((write) => write.id))
        .execute();
      for (const row of rows) prior.set(row.id, { state: row.state, revoked: row.revoked_at !== null });
      const values = valuesList(
        chunk.map((write) => [
          text(write.id),
          text(write.lastSeen),
          text(write.onlineUntil),
          text(write.telemetryJson),
          integer(write.busy === undefined ? null : write.busy ? 1 : 0),
          text(write.facts?.json ?? null),
          text(write.facts?.chosenBackend ?? null),
        ]),
      );
      // v.column1..7: id, last_seen, online_until (null: contact only), telemetry_json, busy (1, 0 or null), facts_json,
      // chosen_backend (null: unchanged). The id list repeats v.column1 so SQLite looks the devices up by key instead
      // of scanning the table for every chunk.
      await sql`
        update devices set
          last_seen = v.column2,
          online_until = coalesce(v.column3, devices.online_until),
          telemetry_json = coalesce(v.column4, devices.telemetry_json),
          facts_json = coalesce(v.column6, devices.facts_json),
          chosen_backend = coalesce(v.column7, devices.chosen_backend),
          state = case
            when v.column3 is null then devices.state
            when v.column5 = 1 then 'busy'
            when v.column5 = 0 then 'online'
            when devices.state = 'busy' then 'busy'
            else 'online' end
        from ${values} as v
        where devices.id = v.column1 and devices.id in (${sql.join(chunk.map((write) => write.id))}) and devices.revoked_at is null`.execute(db);
    }
    return prior;
  }

  /** Moves a device from one of `from` to `to`; false when it was in another state (someone else won). */
  async transition(id: string, from: readonly DeviceState[], to: DeviceState): Promise<boolean> {
    const result = await this.database.db
      .updateTable('devices')
      .set({ state: to })
      .where('id', '=', id)
      .where('state', 'in', from)
      .executeTakeFirst();
    return result.numUpdatedRows > 0n;
  }

  /**
   * Disconnects (or silences) in a batch, one statement per 256: online or busy → offline, unless the device was seen
   * after its `heardAt` (over a newer connection, on any node); returns the ids that went offline. A device listed
   * twice goes by its latest `heardAt`.
   */
  async markManyOfflineUnlessSeenAfter(closes: readonly { readonly id: string; readonly heardAt: string }[]): Promise<string[]> {
    const latest = new Map<string, string>();
    for (const { id, heardAt } of closes) if ((latest.get(id) ?? '') < heardAt) latest.set(id, heardAt);
    const gone: string[] = [];
    for (const chunk of powerOfTwoChunks([...latest])) {
      const values = valuesList(chunk.map(([id, heardAt]) => [text(id), text(heardAt)]));
      // v.column1, v.column2: id, heard at. The id list lets SQLite look the devices up by key (see recordPresence).
      const { rows } = await sql<{ id: string }>`
        update devices set state = 'offline'
        from ${values} as v
        where devices.id = v.column1 and devices.id in (${sql.join(chunk.map(([id]) => id))})
          and devices.state in ('online', 'busy') and (devices.last_seen is null or devices.last_seen <= v.column2)
        returning devices.id`.execute(this.database.db);
      for (const row of rows) gone.push(row.id);
    }
    return gone;
  }

  async markAllOffline(): Promise<number> {
    const result = await this.database.db
      .updateTable('devices')
      .set({ state: 'offline' })
      .where('state', '!=', 'offline')
      .executeTakeFirst();
    return Number(result.numUpdatedRows);
  }

  /** The liveness sweep: every non-offline device whose deadline passed goes offline; returns their ids. */
  async markExpiredOffline(now: string): Promise<string[]> {
    const rows = await this.database.db
      .updateTable('devices')
      .set({ state: 'offline' })
      .where('state', '!=', 'offline')
      .where(deadlinePassed(now))
      .returning('id')
      .execute();
    return rows.map((row) => row.id);
  }

  /** Idle devices that can take work now, longest-enrolled first. */
  async listIdle(now: string): Promise<DeviceRow[]> {
    return this.database.db
      .selectFrom('devices')
      .selectAll()
      .where('state', '=', 'online')
      .where('online_until', '>', now)
      .where('revoked_at', 'is', null)
      .orderBy('created_at')
      .orderBy('id')
      .execute();
  }

  /** Devices that are online (idle or busy) and not revoked, longest-enrolled first. */
  async listPresent(now: string): Promise<DeviceRow[]> {
    return this.presentDevices(now).selectAll().execute();
  }

  /** `listPresent` narrowed to what job matching reads (no credential hash, names or timestamps). */
  async listPresentForMatching(now: string): Promise<Array<Pick<DeviceRow, 'id' | 'state' | 'facts_json' | 'labels_json' | 'telemetry_json'>>> {
    return this.presentDevices(now).select(['id', 'state', 'facts_json', 'labels_json', 'telemetry_json']).execute();
  }

  private presentDevices(now: string) {
    return this.database.db
      .selectFrom('devices')
      .where('state', 'in', ['online', 'busy'])
      .where('online_until', '>', now)
      .where('revoked_at', 'is', null)
      .orderBy('created_at')
      .orderBy('id');
  }

  /** Marks the device revoked and offline; false when it was revoked already. */
  async revoke(id: string, now: string): Promise<boolean> {
    const result = await this.database.db
      .updateTable('devices')
      .set({ revoked_at: now, state: 'offline', online_until: null })
      .where('id', '=', id)
      .where('revoked_at', 'is', null)
      .executeTakeFirst();
    return result.numUpdatedRows > 0n;
  }

  /** Devices per state as of `now`: a device whose presence deadline passed counts as offline. */
  async countByState(now: string): Promise<Record<DeviceState, number>> {
    const effective = sql<DeviceState>`case when state <> 'offline' and ${deadlinePassed(now)} then 'offline' else state end`;
    // Grouped by the output name: PostgreSQL would see the expression repeated with its own parameter as another one.
    const rows = await this.database.db
      .selectFrom('devices')
      .select([effective.as('effective_state'), (eb) => eb.fn.countAll<number>().as('count')])
      .groupBy(sql.ref('effective_state'))
      .execute();
    const counts: Record<DeviceState, number> = { online: 0, offline: 0, busy: 0 };
    for (const row of rows) counts[row.effective_state] = Number(row.count);
    return counts;
  }
}

/** The presence deadline has passed (or was never set): the one rule for "silent", in SQL. */
function deadlinePassed(now: string) {
  return sql<boolean>`(online_until is null or online_until <= ${now})`;
}
