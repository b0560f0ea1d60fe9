import { Module } from '@nestjs/common';
import { JobsModule } from '../jobs/jobs.module.js';
import { DatastatsHandlers } from './datastats.handlers.js';
import { DatastatsRepository } from './datastats.repository.js';
import { DatastatsService } from './datastats.service.js';

/** Fleet forgetting statistics and removal sets: device handlers and the store behind the REST views (server/src/api). */
@Module({
  imports: [JobsModule],
  providers: [DatastatsRepository, DatastatsService, DatastatsHandlers],
  exports: [DatastatsService, DatastatsHandlers],
})
export class DatastatsModule {}
