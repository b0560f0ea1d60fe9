// Audit log entries → their REST DTO.
import type { AuditEntry } from '../../audit/audit-log.service.js';
import type { AuditEntryDto } from '../dto/audit.dto.js';

export function toAuditEntryDto(entry: AuditEntry): AuditEntryDto {
  return { seq: entry.seq, at: entry.at, actor: entry.actor, action: entry.action, target: entry.target, detail: { ...entry.detail } };
}
