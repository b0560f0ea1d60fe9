// zod validation whose failure names every bad field as `path: message` (e.g. `config.optimizer.lr: must be > 0`).
import type { z } from 'zod';
import { formatZodError } from '../../../client/src/engine/train/config.js';

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
