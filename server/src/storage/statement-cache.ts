// better-sqlite3 behind Kysely with its prepared statements kept. Kysely's SQLite driver prepares every query again
// (SQLite parses and plans it each time); on the heartbeat path preparing was a third to two thirds of each
// statement's cost (bench:coordinator --profile). Kysely runs one query at a time on its one SQLite connection, so a
// cached statement is never busy when it is handed out again.
import type Database from 'better-sqlite3';
import type { SqliteDatabase } from 'kysely';

/** Distinct SQL texts kept (least recently used dropped first); `IN (?, ?, …)` lists make the texts vary. */
const DEFAULT_CAPACITY = 500;

export function withStatementCache(database: Database.Database, capacity = DEFAULT_CAPACITY): SqliteDatabase {
  const statements = new Map<string, Database.Statement>();
  return {
    close: () => {
      statements.clear();
      database.close();
    },
    prepare(sql: string) {
      const cached = statements.get(sql);
      if (cached) {
        // Map order is insertion order: re-inserting marks it the most recently used.
        statements.delete(sql);
        statements.set(sql, cached);
        return cached;
      }
      const statement = database.prepare(sql);
      statements.set(sql, statement);
      if (statements.size > capacity) statements.delete(statements.keys().next().value!);
      return statement;
    },
  };
}
