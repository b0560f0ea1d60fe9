import { Module } from '@nestjs/common';
import { CheckpointHandlers } from '../checkpoints/checkpoint.handlers.js';
import { CheckpointsModule } from '../checkpoints/checkpoints.module.js';
import { DevicesModule } from '../devices/devices.module.js';
import { MetricsModule } from '../operations/metrics.module.js';
import { AssignmentService } from './assignment.service.js';
import { DeviceChannel } from './device-channel.js';
import { FleetSweeper } from './fleet-sweeper.service.js';
import { JobCancellationService } from './job-cancellation.service.js';
import { JobLeaseService } from './job-lease.service.js';
import { JobReportRepository } from './job-report.repository.js';
import { JobReportService } from './job-report.service.js';
import { JobHandlers } from './job.handlers.js';
import { JobRepository } from './job.repository.js';
import { JobService } from './job.service.js';
import { PresenceHandlers } from './presence.handlers.js';

@Module({
  imports: [DevicesModule, CheckpointsModule, MetricsModule],
  providers: [
    JobRepository,
    JobReportRepository,
    JobService,
    JobReportService,
    DeviceChannel,
    AssignmentService,
    JobLeaseService,
    JobCancellationService,
    FleetSweeper,
    JobHandlers,
    PresenceHandlers,
    CheckpointHandlers,
  ],
  exports: [
    JobService,
    JobReportService,
    AssignmentService,
    JobLeaseService,
    JobCancellationService,
    FleetSweeper,
    JobHandlers,
    PresenceHandlers,
    CheckpointHandlers,
    CheckpointsModule,
  ],
})
export class JobsModule {}
