// REST answers read through their DTO schemas (server/src/api/dto/). The schemas are strict, so a test that reads a
// response here fails when the coordinator answers with a field its DTO does not name (a wire type leaking into
// REST), leaves one out or changes a type.
import { z } from 'zod';
import { api, type TestCoordinator } from './coordinator-harness.js';

/** Parses a REST body with its DTO schema; throws with every mismatch named. */
export function parseDto<S extends z.ZodType>(schema: S, body: unknown, what = 'the response'): z.output<S> {
  const parsed = schema.safeParse(body);
  if (!parsed.success) throw new Error(`${what} does not match its DTO:\n${z.prettifyError(parsed.error)}`);
  return parsed.data;
}

/** A REST call that must succeed (2xx) and answer with `schema`'s DTO. */
export async function apiDto<S extends z.ZodType>(
  test: TestCoordinator,
  schema: S,
  method: string,
  route: string,
  body?: unknown,
): Promise<{ status: number; body: z.output<S> }> {
  const response = await api<unknown>(test, method, route, body);
  if (response.status < 200 || response.status >= 300) {
    throw new Error(`${method} ${route}: ${response.status} ${JSON.stringify(response.body)}`);
  }
  return { status: response.status, body: parseDto(schema, response.body, `${method} ${route}`) };
}
