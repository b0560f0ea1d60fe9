// OpenAPI document at /api/docs. Request bodies are described from the same zod schemas that validate them;
// responses refer to the REST DTO schemas (server/src/api/dto/), which are published as `components.schemas`.
import type { INestApplication } from '@nestjs/common';
import { DocumentBuilder, SwaggerModule, type SchemaObject } from '@nestjs/swagger';
import { z } from 'zod';
import { SERVER_VERSION } from '../config/coordinator-config.js';
// The index, not the registry alone: every DTO module is loaded, so every DTO is registered.
import { REST_DTOS } from './dto/index.js';

export const OPENAPI_PATH = 'api/docs';

const COMPONENT_PREFIX = '#/components/schemas/';

/** The JSON schema of a request body; a schema zod cannot express (transforms) degrades to a plain object. */
export function jsonSchemaOf(schema: z.ZodType): Record<string, unknown> {
  try {
    const generated = z.toJSONSchema(schema, { io: 'input', unrepresentable: 'any' }) as Record<string, unknown>;
    const { $schema: _dialect, ...jsonSchema } = generated;
    return jsonSchema;
  } catch {
    return { type: 'object' };
  }
}

/** A reference to the OpenAPI component of a registered REST DTO (for `@ApiOkResponse({ schema })`). */
export function dtoSchema(dto: z.ZodType): SchemaObject {
  const meta = REST_DTOS.get(dto);
  if (!meta) throw new Error('the schema is not a registered REST DTO (see server/src/api/dto/registry.ts)');
  return { $ref: `${COMPONENT_PREFIX}${meta.id}` } as SchemaObject;
}

/** An array of a registered REST DTO. */
export function dtoListSchema(dto: z.ZodType): SchemaObject {
  return { type: 'array', items: dtoSchema(dto) };
}

/** Every registered REST DTO as an OpenAPI 3.0 schema object, by component name. */
export function dtoComponents(): Record<string, SchemaObject> {
  const { schemas } = z.toJSONSchema(REST_DTOS, {
    io: 'output',
    target: 'openapi-3.0',
    unrepresentable: 'any',
    metadata: REST_DTOS,
    uri: (id) => `${COMPONENT_PREFIX}${id}`,
    override: ({ jsonSchema }) => dropSafeIntegerBounds(jsonSchema as Record<string, unknown>),
  });
  return Object.fromEntries(
    Object.entries(schemas).map(([id, generated]) => {
      const { $id: _id, $schema: _dialect, ...schema } = generated as Record<string, unknown>;
      return [id, schema as SchemaObject];
    }),
  );
}

/** zod writes ±(2^53 − 1) bounds on every `.int()`; they say nothing to a reader of the document. */
function dropSafeIntegerBounds(schema: Record<string, unknown>): void {
  if (schema.type === 'integer' && schema.minimum === Number.MIN_SAFE_INTEGER && schema.maximum === Number.MAX_SAFE_INTEGER) {
    delete schema.minimum;
    delete schema.maximum;
  }
}

export function setupOpenApi(app: INestApplication): void {
  const config = new DocumentBuilder()
    .setTitle('sparsefleet coordinator')
    .setDescription('Operator API: enrollment tokens, devices, training jobs, their progress and results.')
    .setVersion(SERVER_VERSION)
    .build();
  const document = SwaggerModule.createDocument(app, config);
  document.components = { ...document.components, schemas: { ...document.components?.schemas, ...dtoComponents() } };
  SwaggerModule.setup(OPENAPI_PATH, app, document, { jsonDocumentUrl: `${OPENAPI_PATH}/json` });
}
