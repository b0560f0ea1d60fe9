import { Body, Controller, Delete, Get, HttpCode, NotFoundException, Param, Post } from '@nestjs/common';
import { ApiBody, ApiCreatedResponse, ApiNotFoundResponse, ApiOkResponse, ApiTags } from '@nestjs/swagger';
import { EnrollmentTokenService } from '../devices/enrollment-token.service.js';
import {
  CreatedEnrollmentTokenDto,
  EnrollmentTokenDto,
  createEnrollmentTokenBodySchema,
  type CreateEnrollmentTokenBody,
} from './dto/enrollment-token.dto.js';
import { toCreatedEnrollmentTokenDto, toEnrollmentTokenDto } from './mapping/enrollment-token.mapping.js';
import { dtoListSchema, dtoSchema, jsonSchemaOf } from './openapi.js';
import { ZodValidationPipe } from './zod-validation.pipe.js';

@ApiTags('devices')
@Controller('api/enrollment-tokens')
export class EnrollmentTokenController {
  constructor(private readonly tokens: EnrollmentTokenService) {}

  @Post()
  @HttpCode(201)
  @ApiBody({ schema: jsonSchemaOf(createEnrollmentTokenBodySchema) })
  @ApiCreatedResponse({
    description: 'The token (shown only once), its id, prefix, expiry, uses and labels.',
    schema: dtoSchema(CreatedEnrollmentTokenDto),
  })
  async create(@Body(new ZodValidationPipe(createEnrollmentTokenBodySchema)) body: CreateEnrollmentTokenBody): Promise<CreatedEnrollmentTokenDto> {
    return toCreatedEnrollmentTokenDto(await this.tokens.create(body));
  }

  @Get()
  @ApiOkResponse({
    description: 'Every token: id, prefix, uses, maxUses, expiresAt, revokedAt, labels (never the secret).',
    schema: dtoListSchema(EnrollmentTokenDto),
  })
  async list(): Promise<EnrollmentTokenDto[]> {
    return (await this.tokens.list()).map(toEnrollmentTokenDto);
  }

  @Delete(':id')
  @ApiOkResponse({ description: 'The revoked token. Devices it enrolled keep their credentials.', schema: dtoSchema(EnrollmentTokenDto) })
  @ApiNotFoundResponse({ description: 'No such token.' })
  async revoke(@Param('id') id: string): Promise<EnrollmentTokenDto> {
    const token = await this.tokens.revoke(id);
    if (!token) throw new NotFoundException(`enrollment token ${id} does not exist`);
    return toEnrollmentTokenDto(token);
  }
}
