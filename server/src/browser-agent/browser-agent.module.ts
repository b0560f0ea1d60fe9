// The browser agent (issue 15): the /agent/ page with its bundles and wasm files, and dataset files for devices.
import { Module } from '@nestjs/common';
import { DevicesModule } from '../devices/devices.module.js';
import { AgentPageController } from './agent-page.controller.js';
import { DatasetFilesController } from './dataset-files.controller.js';
import { DatasetFilesService } from './dataset-files.service.js';
import { DeviceHttpAuth } from './device-http-auth.js';

@Module({
  imports: [DevicesModule],
  controllers: [AgentPageController, DatasetFilesController],
  providers: [DatasetFilesService, DeviceHttpAuth],
})
export class BrowserAgentModule {}
