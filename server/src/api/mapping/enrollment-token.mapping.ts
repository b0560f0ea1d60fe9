// Enrollment tokens → their REST DTOs.
import type { CreatedEnrollmentToken, EnrollmentTokenView } from '../../devices/enrollment-token.service.js';
import type { CreatedEnrollmentTokenDto, EnrollmentTokenDto } from '../dto/enrollment-token.dto.js';

export function toEnrollmentTokenDto(token: EnrollmentTokenView): EnrollmentTokenDto {
  return {
    id: token.id,
    prefix: token.prefix,
    uses: token.uses,
    maxUses: token.maxUses,
    expiresAt: token.expiresAt,
    revokedAt: token.revokedAt,
    createdAt: token.createdAt,
    labels: { ...token.labels },
    reclaimDeviceId: token.reclaimDeviceId,
  };
}

export function toCreatedEnrollmentTokenDto(token: CreatedEnrollmentToken): CreatedEnrollmentTokenDto {
  return {
    id: token.id,
    token: token.token,
    prefix: token.prefix,
    expiresAt: token.expiresAt,
    maxUses: token.maxUses,
    labels: { ...token.labels },
    reclaimDeviceId: token.reclaimDeviceId,
  };
}
