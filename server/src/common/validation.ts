// zod validation whose failure names every bad field as `path: message` (e.g. `config.optimizer.lr: must be > 0`).
import type { z } from 'zod';
import { formatZodError } from '../../../client/src/engine/spec.js';

export class InvalidInputError extends Error {
  constructor(readonly issues: readonly string[]) {
    super(issues.join('; '));
    this.name = 'InvalidInputError';
  }
}

export function parseZod<S extends z.ZodType>(schema: S, input: unknown): z.output<S> {
  const result = schema.safeParse(input);
  if (!result.success) throw new InvalidInputError(formatZodError(result.error));
  return result.data;
}

/**
 * The first top-level numeric field of a decoded message that is NaN or infinite, if any. Protobuf carries such
 * doubles, but the report tables store numbers in NOT NULL columns (SQLite turns NaN into NULL).
 */
export function nonFiniteField(message: object): string | undefined {
  for (const [field, value] of Object.entries(message)) {
    if (typeof value === 'number' && !Number.isFinite(value)) return field;
  }
  return undefined;
}
