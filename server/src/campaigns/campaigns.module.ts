import { Module } from '@nestjs/common';
import { DevicesModule } from '../devices/devices.module.js';
import { JobsModule } from '../jobs/jobs.module.js';
import { CampaignSupervisor } from './campaign-supervisor.js';
import { CampaignRepository } from './campaign.repository.js';
import { CampaignService } from './campaign.service.js';

@Module({
  imports: [DevicesModule, JobsModule],
  providers: [CampaignRepository, CampaignSupervisor, CampaignService],
  exports: [CampaignService, CampaignSupervisor],
})
export class CampaignsModule {}
