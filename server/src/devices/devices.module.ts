import { Module } from '@nestjs/common';
import { AuditModule } from '../audit/audit.module.js';
import { SecurityModule } from '../security/security.module.js';
import { CoordinatorSecretRepository } from './coordinator-secret.repository.js';
import { CredentialKeyService } from './credential-key.service.js';
import { DeviceHandlers } from './device.handlers.js';
import { DeviceReclaimService } from './device-reclaim.service.js';
import { DeviceTelemetryRepository } from './device-telemetry.repository.js';
import { DeviceRepository } from './device.repository.js';
import { DeviceService } from './device.service.js';
import { EnrollmentTokenRepository } from './enrollment-token.repository.js';
import { EnrollmentTokenService } from './enrollment-token.service.js';

@Module({
  imports: [AuditModule, SecurityModule],
  providers: [
    EnrollmentTokenRepository,
    EnrollmentTokenService,
    CoordinatorSecretRepository,
    CredentialKeyService,
    DeviceRepository,
    DeviceTelemetryRepository,
    DeviceService,
    DeviceHandlers,
    DeviceReclaimService,
  ],
  exports: [EnrollmentTokenService, DeviceService, DeviceHandlers, DeviceReclaimService],
})
export class DevicesModule {}
