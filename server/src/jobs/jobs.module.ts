import { Module } from '@nestjs/common';
import { DevicesModule } from '../devices/devices.module.js';
import { AssignmentService } from './assignment.service.js';
import { JobReportRepository } from './job-report.repository.js';
import { JobReportService } from './job-report.service.js';
import { JobHandlers } from './job.handlers.js';
import { JobRepository } from './job.repository.js';
import { JobService } from './job.service.js';

@Module({
  imports: [DevicesModule],
  providers: [JobRepository, JobReportRepository, JobService, JobReportService, AssignmentService, JobHandlers],
  exports: [JobService, JobReportService, AssignmentService, JobHandlers],
})
export class JobsModule {}
