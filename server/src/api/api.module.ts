import { Module } from '@nestjs/common';
import { CheckpointsModule } from '../checkpoints/checkpoints.module.js';
import { AuditModule } from '../audit/audit.module.js';
import { CampaignsModule } from '../campaigns/campaigns.module.js';
import { AuditController } from './audit.controller.js';
import { DevicesModule } from '../devices/devices.module.js';
import { GatewayModule } from '../gateway/gateway.module.js';
import { JobsModule } from '../jobs/jobs.module.js';
import { MaskController } from './mask.controller.js';
import { MasksModule } from '../masks/masks.module.js';
import { DatastatsModule } from '../datastats/datastats.module.js';
import { CampaignController } from './campaign.controller.js';
import { DeviceController } from './device.controller.js';
import { EnrollmentTokenController } from './enrollment-token.controller.js';
import { JobController } from './job.controller.js';
import { StatsController } from './stats.controller.js';
import { DatastatsController } from './datastats.controller.js';
import { FederatedController } from './federated.controller.js';
import { FederatedModule } from '../federated/federated.module.js';
import { RemovalSetController } from './removal-set.controller.js';

@Module({
  imports: [AuditModule, CheckpointsModule, DatastatsModule, DevicesModule, FederatedModule, JobsModule, MasksModule, GatewayModule, CampaignsModule],
  controllers: [
    AuditController,
    EnrollmentTokenController,
    DeviceController,
    JobController,
    MaskController,
    StatsController,
    CampaignController,
    DatastatsController,
    RemovalSetController,
    FederatedController,
  ],
})
export class ApiModule {}
