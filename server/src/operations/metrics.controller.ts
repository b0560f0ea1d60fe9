// GET /metrics in the Prometheus text format. Public, no API key (scrapers rarely carry one); bind the
// coordinator to a private interface or filter /metrics at the proxy when it must not be public.
import { PublicRoute } from '../security/api-key.guard.js';
import { Controller, Get, Res } from '@nestjs/common';
import { ApiOkResponse, ApiTags } from '@nestjs/swagger';
import { SkipThrottle } from '@nestjs/throttler';
import { MetricsService } from '../metrics/metrics.service.js';

interface TextResponse {
  type(contentType: string): unknown;
}

@ApiTags('operations')
@PublicRoute()
@Controller('metrics')
@SkipThrottle({ rest: true })
export class MetricsController {
  constructor(private readonly metrics: MetricsService) {}

  @Get()
  @ApiOkResponse({ description: 'Devices online, jobs by state, reports, lease expiries, protocol errors, checkpoint bytes.' })
  async scrape(@Res({ passthrough: true }) response: TextResponse): Promise<string> {
    const { contentType, body } = await this.metrics.scrape();
    response.type(contentType);
    return body;
  }
}
