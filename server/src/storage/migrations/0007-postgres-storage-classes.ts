// PostgreSQL only (a no-op on SQLite): give every column the storage class it has on SQLite, so both databases keep
// the same values and sort them the same way. On PostgreSQL `integer` is 4 bytes (SQLite: up to 8; CRC-32 checksums
// and byte counts exceed 2^31), `real` is a 4-byte float (SQLite: 8), and `text` sorts by the database's locale
// (SQLite: by bytes, which ISO-8601 timestamps, ids and cell names rely on). This widens them to `bigint`, `double
// precision` and `text COLLATE "C"`. It runs right after 0001–0006, so it covers exactly the columns they created;
// later migrations use `bigint`, `double precision` and text with `COLLATE "C"` on PostgreSQL themselves (see
// ../column-types.ts).
import { sql, type Kysely, type Migration } from 'kysely';
import { databaseKindOf } from '../database-dialect.js';

interface ColumnInfo {
  table_name: string;
  column_name: string;
  data_type: string;
}

const WIDER_TYPE: Readonly<Record<string, string>> = {
  integer: 'bigint',
  real: 'double precision',
  text: 'text COLLATE "C"',
};

export const postgresStorageClasses: Migration = {
  async up(db: Kysely<unknown>): Promise<void> {
    if (databaseKindOf(db) !== 'postgres') return;
    const columns = await sql<ColumnInfo>`
      SELECT table_name, column_name, data_type FROM information_schema.columns
      WHERE table_schema = current_schema() AND table_name NOT LIKE 'kysely\\_%' AND data_type IN ('integer', 'real', 'text')
      ORDER BY table_name, ordinal_position`.execute(db);
    const byTable = new Map<string, ColumnInfo[]>();
    for (const column of columns.rows) byTable.set(column.table_name, [...(byTable.get(column.table_name) ?? []), column]);
    // One ALTER per table: PostgreSQL rewrites the table (and its indexes) once.
    for (const [table, tableColumns] of byTable) {
      const changes = tableColumns.map((column) => sql`ALTER COLUMN ${sql.ref(column.column_name)} TYPE ${sql.raw(WIDER_TYPE[column.data_type]!)}`);
      await sql`ALTER TABLE ${sql.table(table)} ${sql.join(changes)}`.execute(db);
    }
  },
};
