// The last N heartbeat telemetry samples per device (the latest one is also kept on the device row).
import { randomUUID } from 'node:crypto';
import { Injectable } from '@nestjs/common';
import { sql, type Selectable } from 'kysely';
import { powerOfTwoChunks } from '../storage/batch-statements.js';
import type { DeviceTelemetryTable } from '../storage/database.schema.js';
import { DatabaseService } from '../storage/database.service.js';

export type DeviceTelemetryRow = Selectable<DeviceTelemetryTable>;

export interface TelemetrySampleRow {
  readonly deviceId: string;
  readonly recordedAt: string;
  readonly telemetryJson: string;
}

@Injectable()
export class DeviceTelemetryRepository {
  constructor(private readonly database: DatabaseService) {}

  /** Appends a sample and drops the device's samples beyond the newest `keep`. */
  async append(deviceId: string, recordedAt: string, telemetryJson: string, keep: number): Promise<void> {
    await this.appendMany([{ deviceId, recordedAt, telemetryJson }], keep);
  }

  /** Appends samples (a heartbeat batch) and drops each device's samples beyond its newest `keep`, in one transaction. */
  async appendMany(samples: readonly TelemetrySampleRow[], keep: number): Promise<void> {
    if (samples.length === 0) return;
    await this.database.db.transaction().execute(async (trx) => {
      for (const chunk of powerOfTwoChunks(samples)) {
        await trx
          .insertInto('device_telemetry')
          .values(chunk.map((sample) => ({ id: randomUUID(), device_id: sample.deviceId, recorded_at: sample.recordedAt, telemetry_json: sample.telemetryJson })))
          .execute();
      }
      const deviceIds = [...new Set(samples.map((sample) => sample.deviceId))];
      for (const chunk of powerOfTwoChunks(deviceIds)) {
        const ranked = trx
          .selectFrom('device_telemetry')
          .select(['id', sql<number>`row_number() over (partition by device_id order by recorded_at desc, id desc)`.as('newest_first')])
          .where('device_id', 'in', chunk)
          .as('ranked');
        await trx
          .deleteFrom('device_telemetry')
          .where('id', 'in', (eb) => eb.selectFrom(ranked).select('ranked.id').where('ranked.newest_first', '>', keep))
          .execute();
      }
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
