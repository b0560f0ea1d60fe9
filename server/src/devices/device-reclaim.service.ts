// An operator's way to give a device id to a new holder: when a device lost its credential (a wiped phone, a
// re-imaged board), the operator issues a single-use token bound to that device. Enrolling with it re-enrolls the
// device (same id, labels and history; a new credential) and kicks whoever held the old one. Audited both ways.
import { Injectable } from '@nestjs/common';
import { AuditLogService } from '../audit/audit-log.service.js';
import { DeviceRepository } from './device.repository.js';
import { EnrollmentTokenService, type CreatedEnrollmentToken } from './enrollment-token.service.js';

/** A reclaim token is short-lived: it is handed to one person to type into one device. */
export const DEFAULT_RECLAIM_TTL_SECONDS = 3600;

/** What a reclaim request came to: a token, or why there is none. */
export type ReclaimIssue =
  | { readonly kind: 'issued'; readonly token: CreatedEnrollmentToken }
  | { readonly kind: 'not-found' }
  | { readonly kind: 'revoked' };

@Injectable()
export class DeviceReclaimService {
  constructor(
    private readonly devices: DeviceRepository,
    private readonly tokens: EnrollmentTokenService,
    private readonly audit: AuditLogService,
  ) {}

  /** A single-use token that re-enrolls the device; none for a device that does not exist or was revoked. */
  async issue(deviceId: string, actor: string, ttlSeconds = DEFAULT_RECLAIM_TTL_SECONDS): Promise<ReclaimIssue> {
    const device = await this.devices.findById(deviceId);
    if (!device) return { kind: 'not-found' };
    if (device.revoked_at) return { kind: 'revoked' };
    const token = await this.tokens.create({ maxUses: 1, ttlSeconds, reclaimDeviceId: deviceId });
    await this.audit.record(actor, 'device.reclaim-issued', deviceId, { tokenId: token.id, expiresAt: token.expiresAt });
    return { kind: 'issued', token };
  }

  /** Records that a device was re-enrolled with a reclaim token. */
  async recordReclaimed(deviceId: string, tokenId: string): Promise<void> {
    await this.audit.record(`token:${tokenId}`, 'device.reclaimed', deviceId, {});
  }
}
