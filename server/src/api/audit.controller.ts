import { Controller, Get, Query } from '@nestjs/common';
import { ApiOkResponse, ApiQuery, ApiTags } from '@nestjs/swagger';
import { AuditLogService } from '../audit/audit-log.service.js';
import { AuditEntryDto, auditQuerySchema, type AuditQuery } from './dto/audit.dto.js';
import { toAuditEntryDto } from './mapping/audit.mapping.js';
import { dtoListSchema } from './openapi.js';
import { ZodValidationPipe } from './zod-validation.pipe.js';

@ApiTags('audit')
@Controller('api/audit-log')
export class AuditController {
  constructor(private readonly audit: AuditLogService) {}

  @Get()
  @ApiQuery({ name: 'limit', required: false, description: 'At most this many entries (1–1000, default 100).' })
  @ApiOkResponse({
    description: 'Operator actions on devices (reclaim issued and used, revocations), newest first.',
    schema: dtoListSchema(AuditEntryDto),
  })
  async list(@Query(new ZodValidationPipe(auditQuerySchema)) query: AuditQuery): Promise<AuditEntryDto[]> {
    return (await this.audit.listRecent(query.limit)).map(toAuditEntryDto);
  }
}
