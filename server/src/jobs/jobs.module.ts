import { Module } from '@nestjs/common';
import { DevicesModule } from '../devices/devices.module.js';
import { MetricsModule } from '../metrics/metrics.module.js';
import { DeviceChannel } from './device-channel.js';
import { FleetSweeper } from './fleet-sweeper.service.js';
import { JobCancellationService } from './job-cancellation.service.js';
import { JobLeaseService } from './job-lease.service.js';
import { JobReportRepository } from './job-report.repository.js';
import { JobReportService } from './job-report.service.js';
import { JobHandlers } from './job.handlers.js';
import { JobRepository } from './job.repository.js';
import { JobService } from './job.service.js';

@Module({
  imports: [DevicesModule, MetricsModule],
  providers: [
    JobRepository,
    JobReportRepository,
    JobService,
    JobReportService,
    DeviceChannel,
    JobLeaseService,
    JobCancellationService,
    FleetSweeper,
    JobHandlers,
  ],
  exports: [
    DeviceChannel,
    JobService,
    JobReportService,
    JobLeaseService,
    JobCancellationService,
    FleetSweeper,
    JobHandlers,
  ],
})
export class JobsModule {}
