// Multi-row statements for batches (heartbeats written by group commit). A statement's SQL text depends on its
// row count and every text is a prepared statement kept in the statement cache, so a batch is split into chunks
// whose sizes are powers of two: at most log2(max) + 1 texts per statement kind, whatever the batch sizes.
import { sql, type RawBuilder } from 'kysely';

const MAX_CHUNK_ROWS = 256;

/** Splits `items` into consecutive chunks of 256, 128, …, 1 items (largest first). */
export function powerOfTwoChunks<T>(items: readonly T[], maxChunk = MAX_CHUNK_ROWS): T[][] {
  const chunks: T[][] = [];
  let start = 0;
  for (let size = maxChunk; size >= 1; size = Math.floor(size / 2)) {
    while (items.length - start >= size) {
      chunks.push(items.slice(start, start + size));
      start += size;
    }
  }
  return chunks;
}

/** `(VALUES (…), (…))`: each row's cells already typed (see `text` and `integer`) so PostgreSQL knows them. */
export function valuesList(rows: readonly (readonly RawBuilder<unknown>[])[]): RawBuilder<unknown> {
  return sql`(values ${sql.join(rows.map((cells) => sql`(${sql.join(cells)})`))})`;
}

/** A text parameter with its type stated (an untyped parameter in VALUES is text on PostgreSQL, unknown elsewhere). */
export function text(value: string | null): RawBuilder<unknown> {
  return sql`cast(${value} as text)`;
}

export function integer(value: number | null): RawBuilder<unknown> {
  return sql`cast(${value} as integer)`;
}
