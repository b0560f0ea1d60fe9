import { Controller, Get } from '@nestjs/common';
import { ApiOkResponse, ApiTags } from '@nestjs/swagger';
import { DeviceService } from '../devices/device.service.js';
import { ProtocolErrorCounter } from '../gateway/protocol-error.counter.js';
import { JobService } from '../jobs/job.service.js';
import type { DeviceState, JobState } from '../storage/database.schema.js';

export interface CoordinatorStats {
  readonly devices: Record<DeviceState, number>;
  readonly jobs: Record<JobState, number>;
  /** Protocol errors and handshake refusals since start, by code name (e.g. "MALFORMED_FRAME"). */
  readonly protocolErrors: Record<string, number>;
}

@ApiTags('stats')
@Controller('api/stats')
export class StatsController {
  constructor(
    private readonly devices: DeviceService,
    private readonly jobs: JobService,
    private readonly errors: ProtocolErrorCounter,
  ) {}

  @Get()
  @ApiOkResponse({ description: 'Devices by state, jobs by state, protocol errors by code.' })
  async get(): Promise<CoordinatorStats> {
    return {
      devices: await this.devices.countByState(),
      jobs: await this.jobs.countByState(),
      protocolErrors: this.errors.snapshot(),
    };
  }
}
