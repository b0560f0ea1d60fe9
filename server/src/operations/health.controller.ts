// GET /healthz for load balancers and orchestrators: the database answers, and which node this is (and whether it
// leads the periodic work). Public: no API key.
import { PublicRoute } from '../security/api-key.guard.js';
import { Controller, Get, Inject } from '@nestjs/common';
import { ApiOkResponse, ApiTags } from '@nestjs/swagger';
import { HealthCheck, HealthCheckService, HealthIndicatorService, type HealthCheckResult } from '@nestjs/terminus';
import { SkipThrottle } from '@nestjs/throttler';
import { LEADERSHIP, type Leadership } from '../cluster/leadership.js';
import { COORDINATOR_CONFIG, type CoordinatorConfig } from '../config/coordinator-config.js';
import { DatabaseService } from '../storage/database.service.js';

const DATABASE_PING_TIMEOUT_MS = 2000;

@ApiTags('operations')
@PublicRoute()
@Controller('healthz')
@SkipThrottle({ rest: true })
export class HealthController {
  constructor(
    private readonly health: HealthCheckService,
    private readonly indicators: HealthIndicatorService,
    private readonly database: DatabaseService,
    @Inject(LEADERSHIP) private readonly leadership: Leadership,
    @Inject(COORDINATOR_CONFIG) private readonly config: CoordinatorConfig,
  ) {}

  @Get()
  @HealthCheck()
  @ApiOkResponse({
    description:
      '{ status: "ok", info: { database: { status: "up" }, node: { status: "up", nodeId, leader } } } (503 when the database is down).',
  })
  check(): Promise<HealthCheckResult> {
    return this.health.check([
      () =>
        this.indicators
          .check('database')
          .attempt(() => this.database.ping())
          .withTimeout(DATABASE_PING_TIMEOUT_MS),
      () => this.indicators.check('node').up({ nodeId: this.config.nodeId, leader: this.leadership.isLeader() }),
    ]);
  }
}
