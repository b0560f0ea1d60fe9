import { Module } from '@nestjs/common';
import { CheckpointsModule } from '../checkpoints/checkpoints.module.js';
import { DatastatsModule } from '../datastats/datastats.module.js';
import { DevicesModule } from '../devices/devices.module.js';
import { JobsModule } from '../jobs/jobs.module.js';
import { AssignmentService } from './assignment.service.js';

/** Matches queued jobs with idle devices and delivers them (with their resume point): above jobs, devices and checkpoints. */
@Module({
  imports: [JobsModule, DevicesModule, CheckpointsModule, DatastatsModule],
  providers: [AssignmentService],
  exports: [AssignmentService],
})
export class AssignmentModule {}
