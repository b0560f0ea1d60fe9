// Operator REST protection: the throttler (per remote address) runs first, so wrong keys are rate limited too,
// then the API-key guard. Both are global guards; socket.io gateways are not affected by global guards.
import { Module } from '@nestjs/common';
import { APP_GUARD } from '@nestjs/core';
import { ThrottlerGuard, ThrottlerModule } from '@nestjs/throttler';
import { COORDINATOR_CONFIG, type CoordinatorConfig } from '../config/coordinator-config.js';
import { ApiKeyGuard } from './api-key.guard.js';
import { ApiKeyRepository } from './api-key.repository.js';
import { ApiKeyService } from './api-key.service.js';

@Module({
  imports: [
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
    { provide: APP_GUARD, useClass: ThrottlerGuard },
    { provide: APP_GUARD, useClass: ApiKeyGuard },
  ],
  exports: [ApiKeyService],
})
export class SecurityModule {}
