import { Controller, Get } from '@nestjs/common';
import { ApiOkResponse, ApiTags } from '@nestjs/swagger';
import { DeviceService } from '../devices/device.service.js';
import { ProtocolErrorCounter } from '../gateway/protocol-error.counter.js';
import { JobService } from '../jobs/job.service.js';
import { CoordinatorStatsDto } from './dto/stats.dto.js';
import { dtoSchema } from './openapi.js';

@ApiTags('stats')
@Controller('api/stats')
export class StatsController {
  constructor(
    private readonly devices: DeviceService,
    private readonly jobs: JobService,
    private readonly errors: ProtocolErrorCounter,
  ) {}

  @Get()
  @ApiOkResponse({ description: 'Devices by state, jobs by state, protocol errors by code.', schema: dtoSchema(CoordinatorStatsDto) })
  async get(): Promise<CoordinatorStatsDto> {
    return {
      devices: await this.devices.countByState(),
      jobs: await this.jobs.countByState(),
      protocolErrors: this.errors.snapshot(),
    };
  }
}
