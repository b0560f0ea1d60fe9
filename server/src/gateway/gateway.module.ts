import { Module } from '@nestjs/common';
import { DevicesModule } from '../devices/devices.module.js';
import { JobsModule } from '../jobs/jobs.module.js';
import { MetricsModule } from '../operations/metrics.module.js';
import { DeviceRevocationService } from './device-revocation.service.js';
import { DeviceSocketRegistry } from './device-socket.registry.js';
import { FleetGateway } from './fleet.gateway.js';
import { ProtocolErrorCounter } from './protocol-error.counter.js';

@Module({
  imports: [DevicesModule, JobsModule, MetricsModule],
  providers: [FleetGateway, DeviceSocketRegistry, ProtocolErrorCounter, DeviceRevocationService],
  exports: [ProtocolErrorCounter, DeviceSocketRegistry, DeviceRevocationService],
})
export class GatewayModule {}
