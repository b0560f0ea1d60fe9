import { Module } from '@nestjs/common';
import { MetricsModule } from '../operations/metrics.module.js';
import { CheckpointRepository } from './checkpoint.repository.js';
import { CheckpointService } from './checkpoint.service.js';
import { CheckpointStore } from './checkpoint.store.js';

/** Storage of checkpoints. The device-facing handlers (who may upload/read) are provided by JobsModule. */
@Module({
  imports: [MetricsModule],
  providers: [CheckpointStore, CheckpointRepository, CheckpointService],
  exports: [CheckpointService],
})
export class CheckpointsModule {}
