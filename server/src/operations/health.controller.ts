// GET /healthz for load balancers and orchestrators: the database answers. Public: no API key.
import { PublicRoute } from '../security/api-key.guard.js';
import { Controller, Get } from '@nestjs/common';
import { ApiOkResponse, ApiTags } from '@nestjs/swagger';
import { HealthCheck, HealthCheckService, HealthIndicatorService, type HealthCheckResult } from '@nestjs/terminus';
import { SkipThrottle } from '@nestjs/throttler';
import { DatabaseService } from '../storage/database.service.js';

const DATABASE_PING_TIMEOUT_MS = 2000;

@ApiTags('operations')
@PublicRoute()
@Controller('healthz')
@SkipThrottle()
export class HealthController {
  constructor(
    private readonly health: HealthCheckService,
    private readonly indicators: HealthIndicatorService,
    private readonly database: DatabaseService,
  ) {}

  @Get()
  @HealthCheck()
  @ApiOkResponse({ description: '{ status: "ok", info: { database: { status: "up" } } } (503 when the database is down).' })
  check(): Promise<HealthCheckResult> {
    return this.health.check([
      () =>
        this.indicators
          .check('database')
          .attempt(() => this.database.ping())
          .withTimeout(DATABASE_PING_TIMEOUT_MS),
    ]);
  }
}
