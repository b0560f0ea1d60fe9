// Bench-only instrumentation of better-sqlite3 inside the coordinator process: time spent preparing and running each
// SQL text. The CPU profile cannot say which query a native `all`/`run` belongs to (Kysely runs it after an await,
// so the service that asked is no longer on the stack); this can.
import Database from 'better-sqlite3';

interface SqlCost {
  calls: number;
  prepareMs: number;
  runMs: number;
}

const costs = new Map<string, SqlCost>();

function costOf(sql: string): SqlCost {
  const key = sql.replace(/\s+/g, ' ').slice(0, 140);
  let cost = costs.get(key);
  if (!cost) costs.set(key, (cost = { calls: 0, prepareMs: 0, runMs: 0 }));
  return cost;
}

/** Wraps Database#prepare so every statement's prepare and execution time is added to its SQL text's account. */
export function instrumentSqlite(): void {
  const prototype = Database.prototype as unknown as { prepare: (sql: string) => Record<string, unknown> };
  const prepare = prototype.prepare;
  prototype.prepare = function timedPrepare(this: unknown, sql: string) {
    const started = performance.now();
    const statement = prepare.call(this, sql);
    const cost = costOf(sql);
    cost.prepareMs += performance.now() - started;
    for (const method of ['all', 'get', 'run', 'iterate']) {
      const original = statement[method] as ((...args: unknown[]) => unknown) | undefined;
      if (typeof original !== 'function') continue;
      statement[method] = (...args: unknown[]) => {
        const at = performance.now();
        try {
          return original.apply(statement, args);
        } finally {
          cost.calls += 1;
          cost.runMs += performance.now() - at;
        }
      };
    }
    return statement;
  };
}

export function resetSqlCosts(): void {
  costs.clear();
}

/** The SQL texts with the most prepare + run time since the last reset, as a markdown table. */
export function sqlCostTable(top: number): string {
  const rows = [...costs].sort((a, b) => b[1].prepareMs + b[1].runMs - (a[1].prepareMs + a[1].runMs)).slice(0, top);
  const totalMs = [...costs.values()].reduce((sum, cost) => sum + cost.prepareMs + cost.runMs, 0);
  return [
    `SQLite: ${(totalMs / 1000).toFixed(2)} s in prepare + run`,
    '',
    '| SQL | calls | prepare s | run s | µs per call |',
    '| --- | --- | --- | --- | --- |',
    ...rows.map(([sql, cost]) => `| \`${sql.replace(/\|/g, '\\|')}\` | ${cost.calls} | ${(cost.prepareMs / 1000).toFixed(2)} | ${(cost.runMs / 1000).toFixed(2)} | ${(((cost.prepareMs + cost.runMs) / Math.max(cost.calls, 1)) * 1000).toFixed(0)} |`),
  ].join('\n');
}
