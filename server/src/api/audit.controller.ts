import { Controller, Get, Query } from '@nestjs/common';
import { ApiOkResponse, ApiQuery, ApiTags } from '@nestjs/swagger';
import { z } from 'zod';
import { AuditLogService, type AuditEntry } from '../audit/audit-log.service.js';
import { ZodValidationPipe } from './zod-validation.pipe.js';

const auditQuerySchema = z.object({ limit: z.coerce.number().int('must be an integer').min(1).max(1000).optional() }).strict();

@ApiTags('audit')
@Controller('api/audit-log')
export class AuditController {
  constructor(private readonly audit: AuditLogService) {}

  @Get()
  @ApiQuery({ name: 'limit', required: false, description: 'At most this many entries (1–1000, default 100).' })
  @ApiOkResponse({ description: 'Operator actions on devices (reclaim issued and used, revocations), newest first.' })
  list(@Query(new ZodValidationPipe(auditQuerySchema)) query: z.output<typeof auditQuerySchema>): Promise<AuditEntry[]> {
    return this.audit.listRecent(query.limit);
  }
}
