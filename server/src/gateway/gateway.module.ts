import { Module } from '@nestjs/common';
import { AuditModule } from '../audit/audit.module.js';
import { DevicesModule } from '../devices/devices.module.js';
import { JobsModule } from '../jobs/jobs.module.js';
import { MasksModule } from '../masks/masks.module.js';
import { MetricsModule } from '../operations/metrics.module.js';
import { SecurityModule } from '../security/security.module.js';
import { DeviceRevocationService } from './device-revocation.service.js';
import { DeviceSocketRegistry } from './device-socket.registry.js';
import { FleetGateway } from './fleet.gateway.js';
import { ProtocolErrorCounter } from './protocol-error.counter.js';

@Module({
  imports: [AuditModule, DevicesModule, JobsModule, MasksModule, MetricsModule, SecurityModule],
  providers: [FleetGateway, DeviceSocketRegistry, ProtocolErrorCounter, DeviceRevocationService],
  exports: [ProtocolErrorCounter, DeviceSocketRegistry, DeviceRevocationService],
})
export class GatewayModule {}
