// Operator REST protection: the throttler (per remote address) runs first, so wrong keys are rate limited too,
// then the API-key guard. Both are global guards, which Nest also runs for gateway handlers: each of them
// passes anything that is not HTTP. The device channel's own limits are DeviceChannelLimits.
import { Module } from '@nestjs/common';
import { APP_GUARD } from '@nestjs/core';
import { ThrottlerModule } from '@nestjs/throttler';
import { COORDINATOR_CONFIG, type CoordinatorConfig } from '../config/coordinator-config.js';
import { MetricsModule } from '../metrics/metrics.module.js';
import { ApiKeyGuard } from './api-key.guard.js';
import { ApiKeyRepository } from './api-key.repository.js';
import { ApiKeyService } from './api-key.service.js';
import { DeviceChannelLimits } from './device-channel-limits.js';
import { HttpThrottlerGuard } from './http-throttler.guard.js';

@Module({
  imports: [
    MetricsModule,
    ThrottlerModule.forRootAsync({
      inject: [COORDINATOR_CONFIG],
      useFactory: (config: CoordinatorConfig) => ({
        throttlers: [{ name: 'rest', ttl: config.restRateLimit.windowMs, limit: config.restRateLimit.limit }],
      }),
    }),
  ],
  providers: [
    ApiKeyRepository,
    ApiKeyService,
    DeviceChannelLimits,
    { provide: APP_GUARD, useClass: HttpThrottlerGuard },
    { provide: APP_GUARD, useClass: ApiKeyGuard },
  ],
  exports: [ApiKeyService, DeviceChannelLimits],
})
export class SecurityModule {}
