// Test-only views of a coordinator's database that SQLite and PostgreSQL answer differently: its tables, and a count
// of the rows changed so far (SQLite's total_changes(); on PostgreSQL a per-row trigger on every table keeps that
// count, installed by `startCountingRowChanges`, since its statistics views lag behind).
import { sql, type QueryExecutorProvider } from 'kysely';
import { databaseKindOf } from '../../server/src/storage/database-dialect.js';

/** The coordinator's tables (not the database's own), by name. */
export async function tableNames(db: QueryExecutorProvider): Promise<string[]> {
  const query =
    databaseKindOf(db) === 'postgres'
      ? sql<{ name: string }>`SELECT table_name AS name FROM information_schema.tables WHERE table_schema = current_schema() AND table_type = 'BASE TABLE' AND table_name <> 'test_row_changes' ORDER BY 1`
      : sql<{ name: string }>`SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%' ORDER BY name`;
  return (await query.execute(db)).rows.map((row) => row.name);
}

/** Makes `rowChanges` count on PostgreSQL (a no-op on SQLite, which counts per connection by itself). */
export async function startCountingRowChanges(db: QueryExecutorProvider): Promise<void> {
  if (databaseKindOf(db) !== 'postgres') return;
  await sql`CREATE TABLE test_row_changes (n bigint NOT NULL)`.execute(db);
  await sql`INSERT INTO test_row_changes VALUES (0)`.execute(db);
  await sql`CREATE FUNCTION test_count_row_change() RETURNS trigger LANGUAGE plpgsql AS $$
    BEGIN UPDATE test_row_changes SET n = n + 1; RETURN NULL; END $$`.execute(db);
  for (const table of await tableNames(db)) {
    await sql`CREATE TRIGGER test_count_row_change AFTER INSERT OR UPDATE OR DELETE ON ${sql.table(table)}
      FOR EACH ROW EXECUTE FUNCTION test_count_row_change()`.execute(db);
  }
}

/** Rows inserted, updated or deleted so far (since the connection opened on SQLite, since counting began on PostgreSQL). */
export async function rowChanges(db: QueryExecutorProvider): Promise<number> {
  const query = databaseKindOf(db) === 'postgres' ? sql<{ n: number }>`SELECT n FROM test_row_changes` : sql<{ n: number }>`SELECT total_changes() AS n`;
  return Number((await query.execute(db)).rows[0]!.n);
}
