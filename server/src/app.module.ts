import { Module, type DynamicModule } from '@nestjs/common';
import { AssignmentModule } from './assignment/assignment.module.js';
import { BrowserAgentModule } from './browser-agent/browser-agent.module.js';
import { EventsModule } from './events/events.module.js';
import { ApiModule } from './api/api.module.js';
import { ClockModule, type Clock } from './common/clock.js';
import { CampaignsModule } from './campaigns/campaigns.module.js';
import { ClusterModule } from './cluster/cluster.module.js';
import { COORDINATOR_CONFIG, type CoordinatorConfig } from './config/coordinator-config.js';
import { DashboardModule } from './dashboard/dashboard.module.js';
import { DevicesModule } from './devices/devices.module.js';
import { GatewayModule } from './gateway/gateway.module.js';
import { JobsModule } from './jobs/jobs.module.js';
import { loggingModule } from './operations/logging.js';
import { MetricsModule } from './metrics/metrics.module.js';
import { OperationsModule } from './operations/operations.module.js';
import { SecurityModule } from './security/security.module.js';
import { StorageModule } from './storage/storage.module.js';

/** Holds the resolved configuration for every module. */
@Module({})
class ConfigModule {}

@Module({})
export class AppModule {
  static forRoot(config: CoordinatorConfig, clock?: Clock): DynamicModule {
    const configModule: DynamicModule = {
      module: ConfigModule,
      global: true,
      providers: [{ provide: COORDINATOR_CONFIG, useValue: config }],
      exports: [COORDINATOR_CONFIG],
    };
    return {
      module: AppModule,
      imports: [
        configModule,
        ClockModule.forRoot(clock),
        loggingModule(config.logLevel),
        StorageModule,
        ClusterModule.forRoot(config),
        EventsModule,
        MetricsModule,
        SecurityModule,
        DevicesModule,
        JobsModule,
        AssignmentModule,
        CampaignsModule,
        GatewayModule,
        ApiModule,
        OperationsModule,
        DashboardModule,
        BrowserAgentModule,
      ],
    };
  }
}
