// Column types for migrations after 0007 that mean the same on SQLite and PostgreSQL: 8-byte integers, 8-byte floats
// and text compared byte by byte (SQLite's INTEGER, REAL and BINARY-collated TEXT). SQLite reads `bigint` and
// `double precision` with exactly those affinities, so only text needs to know the database.
import { sql, type Kysely, type RawBuilder } from 'kysely';
import { databaseKindOf } from './database-dialect.js';

export const INTEGER_COLUMN = 'bigint';
export const FLOAT_COLUMN = 'double precision';

export function textColumn(db: Kysely<unknown>): 'text' | RawBuilder<unknown> {
  return databaseKindOf(db) === 'postgres' ? sql`text collate "C"` : 'text';
}
