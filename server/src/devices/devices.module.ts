import { Module } from '@nestjs/common';
import { DeviceHandlers } from './device.handlers.js';
import { DeviceTelemetryRepository } from './device-telemetry.repository.js';
import { DeviceRepository } from './device.repository.js';
import { DeviceService } from './device.service.js';
import { EnrollmentTokenRepository } from './enrollment-token.repository.js';
import { EnrollmentTokenService } from './enrollment-token.service.js';

@Module({
  providers: [
    EnrollmentTokenRepository,
    EnrollmentTokenService,
    DeviceRepository,
    DeviceTelemetryRepository,
    DeviceService,
    DeviceHandlers,
  ],
  exports: [EnrollmentTokenService, DeviceService, DeviceHandlers],
})
export class DevicesModule {}
