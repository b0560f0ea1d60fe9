import { Module } from '@nestjs/common';
import { DevicesModule } from '../devices/devices.module.js';
import { JobsModule } from '../jobs/jobs.module.js';
import { DeviceSocketRegistry } from './device-socket.registry.js';
import { FleetGateway } from './fleet.gateway.js';
import { ProtocolErrorCounter } from './protocol-error.counter.js';

@Module({
  imports: [DevicesModule, JobsModule],
  providers: [FleetGateway, DeviceSocketRegistry, ProtocolErrorCounter],
  exports: [ProtocolErrorCounter, DeviceSocketRegistry],
})
export class GatewayModule {}
