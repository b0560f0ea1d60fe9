import { Module } from '@nestjs/common';
import { JobsModule } from '../jobs/jobs.module.js';
import { MetricsModule } from '../metrics/metrics.module.js';
import { CheckpointHandlers } from './checkpoint.handlers.js';
import { CheckpointRepository } from './checkpoint.repository.js';
import { CheckpointService } from './checkpoint.service.js';
import { CheckpointStore } from './checkpoint.store.js';

/** Checkpoints of jobs: their storage, and the device-facing handlers (only a job's holder may upload or read). */
@Module({
  imports: [JobsModule, MetricsModule],
  providers: [CheckpointStore, CheckpointRepository, CheckpointService, CheckpointHandlers],
  exports: [CheckpointService, CheckpointHandlers],
})
export class CheckpointsModule {}
