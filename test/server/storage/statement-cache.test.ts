// The SQLite statement cache: a repeated SQL text reuses its prepared statement, the least recently used one is
// dropped past the capacity, and results are those of a fresh statement.
import os from 'node:os';
import path from 'node:path';
import fs from 'node:fs';
import Database from 'better-sqlite3';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { withStatementCache } from '../../../server/src/storage/statement-cache.js';

describe(withStatementCache.name, () => {
  let dir: string;
  let raw: Database.Database;
  let prepared: string[];

  beforeEach(() => {
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'sparsefleet-stmt-'));
    raw = new Database(path.join(dir, 'cache.sqlite'));
    raw.exec('create table t (id integer primary key, v text)');
    prepared = [];
    const prepare = raw.prepare.bind(raw);
    raw.prepare = ((sql: string) => {
      prepared.push(sql);
      return prepare(sql);
    }) as typeof raw.prepare;
  });

  afterEach(() => fs.rmSync(dir, { recursive: true, force: true }));

  it('prepares each SQL text once and answers like a fresh statement', () => {
    const db = withStatementCache(raw);
    const insert = 'insert into t (v) values (?)';
    for (const v of ['a', 'b', 'c']) db.prepare(insert).run([v]);
    const rows = db.prepare('select v from t where id >= ? order by id').all([2]);
    expect(rows).toEqual([{ v: 'b' }, { v: 'c' }]);
    expect(db.prepare('select v from t where id >= ? order by id').all([3])).toEqual([{ v: 'c' }]);
    expect(prepared).toEqual([insert, 'select v from t where id >= ? order by id']);
    db.close();
  });

  it('drops the least recently used statement past its capacity', () => {
    const db = withStatementCache(raw, 2);
    db.prepare('select 1');
    db.prepare('select 2');
    db.prepare('select 1'); // now the most recently used
    db.prepare('select 3'); // drops 'select 2'
    db.prepare('select 1');
    db.prepare('select 2');
    expect(prepared).toEqual(['select 1', 'select 2', 'select 3', 'select 2']);
    db.close();
  });
});
