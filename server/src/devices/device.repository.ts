import { Injectable } from '@nestjs/common';
import { sql, type Selectable, type Updateable } from 'kysely';
import type { DeviceState, DeviceTable } from '../storage/database.schema.js';
import { DatabaseService } from '../storage/database.service.js';

export type DeviceRow = Selectable<DeviceTable>;

@Injectable()
export class DeviceRepository {
  constructor(private readonly database: DatabaseService) {}

  async insert(row: DeviceRow): Promise<void> {
    await this.database.db.insertInto('devices').values(row).execute();
  }

  async findById(id: string): Promise<DeviceRow | undefined> {
    return this.database.db.selectFrom('devices').selectAll().where('id', '=', id).executeTakeFirst();
  }

  async list(): Promise<DeviceRow[]> {
    return this.database.db.selectFrom('devices').selectAll().orderBy('created_at').orderBy('id').execute();
  }

  async update(id: string, changes: Updateable<DeviceTable>): Promise<void> {
    await this.database.db.updateTable('devices').set(changes).where('id', '=', id).execute();
  }

  /**
   * Presence (deadline, last seen, facts or telemetry) and the idle/busy state in one statement. `busy` undefined
   * keeps a busy device busy and makes any other online: decided by the row as it is when written, so a device
   * reserved for a job meanwhile (on any node) is never turned idle by a heartbeat that read it before.
   */
  async updatePresence(id: string, changes: Updateable<DeviceTable>, busy: boolean | undefined): Promise<void> {
    const state =
      busy === undefined ? sql<DeviceState>`case when state = 'busy' then 'busy' else 'online' end` : busy ? 'busy' : 'online';
    await this.database.db.updateTable('devices').set({ ...changes, state }).where('id', '=', id).execute();
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

  /** A disconnect: online or busy → offline, unless the device was seen after `heardAt`; false when unchanged. */
  async markOfflineUnlessSeenAfter(id: string, heardAt: string): Promise<boolean> {
    const result = await this.database.db
      .updateTable('devices')
      .set({ state: 'offline' })
      .where('id', '=', id)
      .where('state', 'in', ['online', 'busy'])
      .where((eb) => eb.or([eb('last_seen', 'is', null), eb('last_seen', '<=', heardAt)]))
      .executeTakeFirst();
    return result.numUpdatedRows > 0n;
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
    return this.database.db
      .selectFrom('devices')
      .selectAll()
      .where('state', 'in', ['online', 'busy'])
      .where('online_until', '>', now)
      .where('revoked_at', 'is', null)
      .orderBy('created_at')
      .orderBy('id')
      .execute();
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
