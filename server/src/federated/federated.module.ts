import { Module } from '@nestjs/common';
import { DevicesModule } from '../devices/devices.module.js';
import { JobsModule } from '../jobs/jobs.module.js';
import { FederatedHandlers } from './federated.handlers.js';
import { FederatedModels } from './federated-models.js';
import { FederatedRepository } from './federated.repository.js';
import { FederatedRoundService } from './federated-round.service.js';
import { FederatedUpdateService } from './federated-update.service.js';
import { FederatedViews } from './federated-views.js';

/** Federated jobs (issue 18): rounds over client-task jobs, model download, update upload, operator views. */
@Module({
  imports: [DevicesModule, JobsModule],
  providers: [FederatedRepository, FederatedModels, FederatedRoundService, FederatedUpdateService, FederatedHandlers, FederatedViews],
  exports: [FederatedRoundService, FederatedHandlers, FederatedViews],
})
export class FederatedModule {}
