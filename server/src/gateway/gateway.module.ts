import { Module } from '@nestjs/common';
import { AuditModule } from '../audit/audit.module.js';
import { AssignmentModule } from '../assignment/assignment.module.js';
import { CheckpointsModule } from '../checkpoints/checkpoints.module.js';
import { DevicesModule } from '../devices/devices.module.js';
import { HELD_JOB_LEASES, PresenceHandlers } from '../devices/presence.handlers.js';
import { JobLeaseService } from '../jobs/job-lease.service.js';
import { JobsModule } from '../jobs/jobs.module.js';
import { MasksModule } from '../masks/masks.module.js';
import { DatastatsModule } from '../datastats/datastats.module.js';
import { FederatedModule } from '../federated/federated.module.js';
import { MetricsModule } from '../metrics/metrics.module.js';
import { SecurityModule } from '../security/security.module.js';
import { DeviceRevocationService } from './device-revocation.service.js';
import { DeviceSocketRegistry } from './device-socket.registry.js';
import { FleetGateway } from './fleet.gateway.js';
import { ProtocolErrorCounter } from './protocol-error.counter.js';

@Module({
  imports: [AuditModule, AssignmentModule, CheckpointsModule, DatastatsModule, DevicesModule, FederatedModule, JobsModule, MasksModule, MetricsModule, SecurityModule],
  providers: [
    FleetGateway,
    DeviceSocketRegistry,
    ProtocolErrorCounter,
    DeviceRevocationService,
    PresenceHandlers,
    { provide: HELD_JOB_LEASES, useExisting: JobLeaseService },
  ],
  exports: [ProtocolErrorCounter, DeviceSocketRegistry, DeviceRevocationService],
})
export class GatewayModule {}
