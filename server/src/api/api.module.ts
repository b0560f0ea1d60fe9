import { Module } from '@nestjs/common';
import { CampaignsModule } from '../campaigns/campaigns.module.js';
import { DevicesModule } from '../devices/devices.module.js';
import { GatewayModule } from '../gateway/gateway.module.js';
import { JobsModule } from '../jobs/jobs.module.js';
import { CampaignController } from './campaign.controller.js';
import { DeviceController } from './device.controller.js';
import { EnrollmentTokenController } from './enrollment-token.controller.js';
import { JobController } from './job.controller.js';
import { StatsController } from './stats.controller.js';

@Module({
  imports: [DevicesModule, JobsModule, GatewayModule, CampaignsModule],
  controllers: [EnrollmentTokenController, DeviceController, JobController, StatsController, CampaignController],
})
export class ApiModule {}
