import { Body, Controller, HttpCode, Post } from '@nestjs/common';
import { ApiBody, ApiCreatedResponse, ApiTags } from '@nestjs/swagger';
import { z } from 'zod';
import { EnrollmentTokenService, type CreatedEnrollmentToken } from '../devices/enrollment-token.service.js';
import { jsonSchemaOf } from './openapi.js';
import { ZodValidationPipe } from './zod-validation.pipe.js';

export const createEnrollmentTokenSchema = z
  .object({
    maxUses: z.number().int('must be an integer').min(1, 'must be >= 1').max(1_000_000, 'must be <= 1000000').optional(),
    ttlSeconds: z.number().int('must be an integer').min(1, 'must be >= 1').max(365 * 24 * 3600, 'must be <= 1 year').optional(),
  })
  .strict();

@ApiTags('devices')
@Controller('api/enrollment-tokens')
export class EnrollmentTokenController {
  constructor(private readonly tokens: EnrollmentTokenService) {}

  @Post()
  @HttpCode(201)
  @ApiBody({ schema: jsonSchemaOf(createEnrollmentTokenSchema) })
  @ApiCreatedResponse({ description: 'The token (shown only once), its expiry and how many devices may use it.' })
  create(
    @Body(new ZodValidationPipe(createEnrollmentTokenSchema)) body: z.output<typeof createEnrollmentTokenSchema>,
  ): Promise<CreatedEnrollmentToken> {
    return this.tokens.create(body);
  }
}
