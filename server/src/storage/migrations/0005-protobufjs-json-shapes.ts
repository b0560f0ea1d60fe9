// Stored copies of protobuf messages (JSON columns) follow the shape of the code that wrote them. Moving from
// ts-proto to protobufjs changed two things: a oneof is now its set field (`schedule.dst`) instead of
// `schedule.kind.{$case, value}`, and `load_average_1m` is `loadAverage_1m` instead of `loadAverage1m`. This rewrites
// rows written before the move so nothing stored earlier reads back as "no schedule" or "no load average".
import { sql, type Kysely, type Migration } from 'kysely';

const LOAD_AVERAGE_COLUMNS: ReadonlyArray<readonly [table: string, column: string]> = [
  ['devices', 'telemetry_json'],
  ['device_telemetry', 'telemetry_json'],
  ['job_results', 'result_json'],
  ['campaign_results', 'benchmark_json'],
  ['campaign_results', 'device_json'],
];

interface StoredSchedule {
  kind?: { $case?: string; value?: unknown } | string;
  [field: string]: unknown;
}

/** A stored TrainingJobSpec with its schedule oneof rewritten to the set-field form; unchanged when already so. */
export function scheduleOneofToFieldForm(specJson: string): string {
  const spec = JSON.parse(specJson) as { schedule?: StoredSchedule };
  const kind = spec.schedule?.kind;
  if (typeof kind !== 'object' || kind === null || typeof kind.$case !== 'string') return specJson;
  spec.schedule = { [kind.$case]: kind.value ?? {} };
  return JSON.stringify(spec);
}

export const protobufjsJsonShapes: Migration = {
  async up(db: Kysely<unknown>): Promise<void> {
    for (const [table, column] of LOAD_AVERAGE_COLUMNS) {
      await sql`UPDATE ${sql.table(table)} SET ${sql.ref(column)} = REPLACE(${sql.ref(column)}, '"loadAverage1m":', '"loadAverage_1m":') WHERE ${sql.ref(column)} LIKE '%"loadAverage1m":%'`.execute(db);
    }
    const jobs = await sql<{ id: string; spec_json: string }>`SELECT id, spec_json FROM jobs WHERE spec_json LIKE '%"$case"%'`.execute(db);
    for (const job of jobs.rows) {
      const rewritten = scheduleOneofToFieldForm(job.spec_json);
      if (rewritten !== job.spec_json) {
        await sql`UPDATE jobs SET spec_json = ${rewritten} WHERE id = ${job.id}`.execute(db);
      }
    }
  },
};
