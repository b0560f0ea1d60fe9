import { Injectable } from '@nestjs/common';
import type { Selectable, Updateable } from 'kysely';
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
      .where((eb) => eb.or([eb('online_until', 'is', null), eb('online_until', '<=', now)]))
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

  async countByState(): Promise<Record<DeviceState, number>> {
    const rows = await this.database.db
      .selectFrom('devices')
      .select(['state', (eb) => eb.fn.countAll<number>().as('count')])
      .groupBy('state')
      .execute();
    const counts: Record<DeviceState, number> = { online: 0, offline: 0, busy: 0 };
    for (const row of rows) counts[row.state] = Number(row.count);
    return counts;
  }
}
