// The last N heartbeat telemetry samples per device (the latest one is also kept on the device row).
import { randomUUID } from 'node:crypto';
import { Injectable } from '@nestjs/common';
import type { Selectable } from 'kysely';
import type { DeviceTelemetryTable } from '../storage/database.schema.js';
import { DatabaseService } from '../storage/database.service.js';

export type DeviceTelemetryRow = Selectable<DeviceTelemetryTable>;

@Injectable()
export class DeviceTelemetryRepository {
  constructor(private readonly database: DatabaseService) {}

  /** Appends a sample and drops the device's samples beyond the newest `keep`. */
  async append(deviceId: string, recordedAt: string, telemetryJson: string, keep: number): Promise<void> {
    await this.database.db.transaction().execute(async (trx) => {
      await trx
        .insertInto('device_telemetry')
        .values({ id: randomUUID(), device_id: deviceId, recorded_at: recordedAt, telemetry_json: telemetryJson })
        .execute();
      await trx
        .deleteFrom('device_telemetry')
        .where('device_id', '=', deviceId)
        .where('id', 'not in', (eb) =>
          eb
            .selectFrom('device_telemetry')
            .select('id')
            .where('device_id', '=', deviceId)
            .orderBy('recorded_at', 'desc')
            .limit(keep),
        )
        .execute();
    });
  }

  /** Newest first. */
  async listRecent(deviceId: string, limit: number): Promise<DeviceTelemetryRow[]> {
    return this.database.db
      .selectFrom('device_telemetry')
      .selectAll()
      .where('device_id', '=', deviceId)
      .orderBy('recorded_at', 'desc')
      .limit(limit)
      .execute();
  }
}
