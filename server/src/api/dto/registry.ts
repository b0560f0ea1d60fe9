// The registry of REST DTO schemas: each response DTO is registered under the name its OpenAPI component gets
// (`#/components/schemas/<id>`), so openapi.ts can publish them all and controllers can refer to them by schema.
import { z } from 'zod';

export interface RestDtoMeta {
  /** The OpenAPI component name. */
  readonly id: string;
  readonly description?: string;
}

export const REST_DTOS = z.registry<RestDtoMeta>();

/** Registers a DTO schema under its component name and returns the same schema. */
export function restDto<S extends z.ZodType>(id: string, schema: S, description?: string): S {
  REST_DTOS.add(schema, description === undefined ? { id } : { id, description });
  return schema;
}
