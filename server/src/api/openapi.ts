// OpenAPI document at /api/docs. Request bodies are described from the same zod schemas that validate them.
import type { INestApplication } from '@nestjs/common';
import { DocumentBuilder, SwaggerModule } from '@nestjs/swagger';
import { z } from 'zod';
import { SERVER_VERSION } from '../config/coordinator-config.js';

export const OPENAPI_PATH = 'api/docs';

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

export function setupOpenApi(app: INestApplication): void {
  const config = new DocumentBuilder()
    .setTitle('sparsefleet coordinator')
    .setDescription('Operator API: enrollment tokens, devices, training jobs, their progress and results.')
    .setVersion(SERVER_VERSION)
    .build();
  const document = SwaggerModule.createDocument(app, config);
  SwaggerModule.setup(OPENAPI_PATH, app, document, { jsonDocumentUrl: `${OPENAPI_PATH}/json` });
}
