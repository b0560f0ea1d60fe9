import { Module } from '@nestjs/common';
import { JobsModule } from '../jobs/jobs.module.js';
import { DatastatsController } from './datastats.controller.js';
import { DatastatsHandlers } from './datastats.handlers.js';
import { DatastatsRepository } from './datastats.repository.js';
import { DatastatsService } from './datastats.service.js';
import { RemovalSetController } from './removal-set.controller.js';

/** Fleet forgetting statistics and removal sets: device handlers, the store, and their REST routes. */
@Module({
  imports: [JobsModule],
  controllers: [DatastatsController, RemovalSetController],
  providers: [DatastatsRepository, DatastatsService, DatastatsHandlers],
  exports: [DatastatsService, DatastatsHandlers],
})
export class DatastatsModule {}
