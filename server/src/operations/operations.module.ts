import { Module } from '@nestjs/common';
import { TerminusModule } from '@nestjs/terminus';
import { DevicesModule } from '../devices/devices.module.js';
import { JobsModule } from '../jobs/jobs.module.js';
import { FleetGauges } from './fleet-gauges.js';
import { HealthController } from './health.controller.js';
import { MetricsController } from './metrics.controller.js';
import { MetricsModule } from '../metrics/metrics.module.js';

@Module({
  imports: [TerminusModule.forRoot({ logger: false }), MetricsModule, DevicesModule, JobsModule],
  controllers: [HealthController, MetricsController],
  providers: [FleetGauges],
})
export class OperationsModule {}
