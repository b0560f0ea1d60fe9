// Validates a REST body with a zod schema; a failure is a 400 whose message names each bad field.
import { BadRequestException, type PipeTransform } from '@nestjs/common';
import type { z } from 'zod';
import { InvalidInputError, parseZod } from '../common/validation.js';

export class ZodValidationPipe<S extends z.ZodType> implements PipeTransform<unknown, z.output<S>> {
  constructor(private readonly schema: S) {}

  transform(value: unknown): z.output<S> {
    return parseOrBadRequest(() => parseZod(this.schema, value ?? {}));
  }
}

/** Runs a validation and maps InvalidInputError to a 400 `{ statusCode, error, message, issues }`. */
export function parseOrBadRequest<T>(parse: () => T): T {
  try {
    return parse();
  } catch (error) {
    if (error instanceof InvalidInputError) {
      throw new BadRequestException({
        statusCode: 400,
        error: 'Bad Request',
        message: `invalid request: ${error.message}`,
        issues: error.issues,
      });
    }
    throw error;
  }
}
