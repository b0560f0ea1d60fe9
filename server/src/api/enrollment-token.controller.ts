import { Body, Controller, Delete, Get, HttpCode, NotFoundException, Param, Post } from '@nestjs/common';
import { ApiBody, ApiCreatedResponse, ApiNotFoundResponse, ApiOkResponse, ApiTags } from '@nestjs/swagger';
import { z } from 'zod';
import {
  EnrollmentTokenService,
  type CreatedEnrollmentToken,
  type EnrollmentTokenView,
} from '../devices/enrollment-token.service.js';
import { labelsSchema } from '../devices/labels.js';
import { jsonSchemaOf } from './openapi.js';
import { ZodValidationPipe } from './zod-validation.pipe.js';

export const createEnrollmentTokenSchema = z
  .object({
    maxUses: z.number().int('must be an integer').min(1, 'must be >= 1').max(1_000_000, 'must be <= 1000000').optional(),
    ttlSeconds: z.number().int('must be an integer').min(1, 'must be >= 1').max(365 * 24 * 3600, 'must be <= 1 year').optional(),
    labels: labelsSchema.optional(),
  })
  .strict();

@ApiTags('devices')
@Controller('api/enrollment-tokens')
export class EnrollmentTokenController {
  constructor(private readonly tokens: EnrollmentTokenService) {}

  @Post()
  @HttpCode(201)
  @ApiBody({ schema: jsonSchemaOf(createEnrollmentTokenSchema) })
  @ApiCreatedResponse({ description: 'The token (shown only once), its id, prefix, expiry, uses and labels.' })
  create(
    @Body(new ZodValidationPipe(createEnrollmentTokenSchema)) body: z.output<typeof createEnrollmentTokenSchema>,
  ): Promise<CreatedEnrollmentToken> {
    return this.tokens.create(body);
  }

  @Get()
  @ApiOkResponse({ description: 'Every token: id, prefix, uses, maxUses, expiresAt, revokedAt, labels (never the secret).' })
  list(): Promise<EnrollmentTokenView[]> {
    return this.tokens.list();
  }

  @Delete(':id')
  @ApiOkResponse({ description: 'The revoked token. Devices it enrolled keep their credentials.' })
  @ApiNotFoundResponse({ description: 'No such token.' })
  async revoke(@Param('id') id: string): Promise<EnrollmentTokenView> {
    const token = await this.tokens.revoke(id);
    if (!token) throw new NotFoundException(`enrollment token ${id} does not exist`);
    return token;
  }
}
