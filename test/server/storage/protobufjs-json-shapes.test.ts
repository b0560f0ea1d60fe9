// Rows written by the ts-proto coordinator read back with the same meaning after the move to protobufjs.
import Database from 'better-sqlite3';
import { Kysely, Migrator, SqliteDialect, sql } from 'kysely';
import { afterEach, describe, expect, it } from 'vitest';
import { scheduleFromProto } from '../../../client/src/engine/sparse/schedules/proto.js';
import { withDefaults } from '../../../protocol/src/index.js';
import { MIGRATIONS } from '../../../server/src/storage/migrations.js';
import { scheduleOneofToFieldForm } from '../../../server/src/storage/migrations/0005-protobufjs-json-shapes.js';

const OLD_SPEC = {
  model: 'mlp',
  method: 'set',
  density: 0.1,
  schedule: { kind: { $case: 'dst', value: { updateInterval: 25, beginStep: 0, endStep: 0, endFraction: 0.75, dropFraction: 0.3, decay: 2, decayExponent: 0, pruneMode: '', growth: '', redistribution: '', growInit: '' } } },
};

function migrator(db: Kysely<unknown>, names: readonly string[]): Migrator {
  const chosen = Object.fromEntries(names.map((name) => [name, MIGRATIONS[name]]));
  return new Migrator({ db, provider: { getMigrations: async () => chosen } });
}

describe('migration 0005: protobufjs JSON shapes', () => {
  let db: Kysely<unknown> | undefined;
  afterEach(async () => db?.destroy());

  it('should rewrite a ts-proto schedule oneof and the old load-average key in stored rows', async () => {
    db = new Kysely<unknown>({ dialect: new SqliteDialect({ database: new Database(':memory:') }) });
    const before = Object.keys(MIGRATIONS).filter((name) => name < '0005');
    expect((await migrator(db, before).migrateToLatest()).error).toBeUndefined();
    const now = new Date().toISOString();
    await sql`INSERT INTO jobs (id, seq, name, state, spec_json, attempt, created_at, updated_at) VALUES ('j1', 1, 'old', 'queued', ${JSON.stringify(OLD_SPEC)}, 0, ${now}, ${now})`.execute(db);
    await sql`INSERT INTO devices (id, display_name, facts_json, chosen_backend, state, telemetry_json, credential_hash, created_at) VALUES ('d1', 'box', '{}', 'wasm', 'offline', ${JSON.stringify({ loadAverage1m: 1.5, rssBytes: 10 })}, 'h', ${now})`.execute(db);

    expect((await migrator(db, Object.keys(MIGRATIONS)).migrateToLatest()).error).toBeUndefined();

    const job = (await sql<{ spec_json: string }>`SELECT spec_json FROM jobs WHERE id = 'j1'`.execute(db)).rows[0];
    const spec = withDefaults('sparsefleet.v1.TrainingJobSpec', JSON.parse(job.spec_json));
    expect(spec.schedule?.dst?.updateInterval).toBe(25);
    expect(scheduleFromProto(spec.schedule!)).toMatchObject({ kind: 'dst', updateInterval: 25, dropFraction: 0.3 });
    const device = (await sql<{ telemetry_json: string }>`SELECT telemetry_json FROM devices WHERE id = 'd1'`.execute(db)).rows[0];
    expect(JSON.parse(device.telemetry_json)).toEqual({ loadAverage_1m: 1.5, rssBytes: 10 });
  });

  it('should leave a spec already in the set-field form, or without a schedule, unchanged', () => {
    const current = JSON.stringify({ model: 'mlp', schedule: { dst: { updateInterval: 5 } } });
    expect(scheduleOneofToFieldForm(current)).toBe(current);
    const none = JSON.stringify({ model: 'mlp' });
    expect(scheduleOneofToFieldForm(none)).toBe(none);
  });
});
