// The browser agent (issue 15): the /agent/ page with its bundles and wasm files, and the dataset shards of the jobs
// browser devices hold.
import { Module } from '@nestjs/common';
import { DevicesModule } from '../devices/devices.module.js';
import { JobsModule } from '../jobs/jobs.module.js';
import { AgentPageController } from './agent-page.controller.js';
import { DatasetShardsController } from './dataset-shards.controller.js';
import { DatasetShardService } from './dataset-shards.service.js';
import { DeviceHttpAuth } from './device-http-auth.js';

@Module({
  imports: [DevicesModule, JobsModule],
  controllers: [AgentPageController, DatasetShardsController],
  providers: [DatasetShardService, DeviceHttpAuth],
})
export class BrowserAgentModule {}
