import { Body, Controller, Get, HttpCode, NotFoundException, Param, Post, Put } from '@nestjs/common';
import { ApiBody, ApiNotFoundResponse, ApiOkResponse, ApiTags } from '@nestjs/swagger';
import { z } from 'zod';
import { DeviceService, type DeviceView, type TelemetrySample } from '../devices/device.service.js';
import { labelsSchema } from '../devices/labels.js';
import { DeviceRevocationService } from '../gateway/device-revocation.service.js';
import { JobService, type JobView } from '../jobs/job.service.js';
import { jsonSchemaOf } from './openapi.js';
import { ZodValidationPipe } from './zod-validation.pipe.js';

export const deviceLabelsSchema = z.object({ labels: labelsSchema }).strict();

export interface DeviceListEntry extends DeviceView {
  /** The job the device holds now (assigned or running), if any. */
  readonly currentJobId: string | null;
}

export interface DeviceDetail extends DeviceView {
  /** Newest first. */
  readonly telemetryHistory: readonly TelemetrySample[];
  /** The job the device holds now (assigned or running), if any. */
  readonly currentJob: JobView | null;
}

@ApiTags('devices')
@Controller('api/devices')
export class DeviceController {
  constructor(
    private readonly devices: DeviceService,
    private readonly jobs: JobService,
    private readonly revocation: DeviceRevocationService,
  ) {}

  @Get()
  @ApiOkResponse({ description: 'Every registered device: facts, capabilities, labels, state, latest telemetry, current job.' })
  async list(): Promise<DeviceListEntry[]> {
    const [devices, assigned, running] = await Promise.all([
      this.devices.list(),
      this.jobs.list('assigned'),
      this.jobs.list('running'),
    ]);
    const held = new Map([...assigned, ...running].map((job) => [job.deviceId, job.id]));
    return devices.map((device) => ({ ...device, currentJobId: held.get(device.id) ?? null }));
  }

  @Get(':id')
  @ApiOkResponse({ description: 'One device with its telemetry history and current job.' })
  @ApiNotFoundResponse({ description: 'No such device.' })
  async get(@Param('id') id: string): Promise<DeviceDetail> {
    const device = await this.requireDevice(id);
    const [telemetryHistory, held] = await Promise.all([this.devices.telemetryHistory(id), this.jobs.listHeld(id)]);
    return { ...device, telemetryHistory, currentJob: held[0] ?? null };
  }

  @Put(':id/labels')
  @ApiBody({ schema: jsonSchemaOf(deviceLabelsSchema) })
  @ApiOkResponse({ description: 'The device with its new operator labels (they replace the previous ones).' })
  async setLabels(
    @Param('id') id: string,
    @Body(new ZodValidationPipe(deviceLabelsSchema)) body: z.output<typeof deviceLabelsSchema>,
  ): Promise<DeviceView> {
    const device = await this.devices.setLabels(id, body.labels);
    if (!device) throw new NotFoundException(`device ${id} does not exist`);
    return device;
  }

  @Post(':id/revoke')
  @HttpCode(200)
  @ApiOkResponse({ description: 'The revoked device: its credential is invalid and its connection was dropped.' })
  @ApiNotFoundResponse({ description: 'No such device.' })
  async revoke(@Param('id') id: string): Promise<DeviceView> {
    const device = await this.revocation.revoke(id);
    if (!device) throw new NotFoundException(`device ${id} does not exist`);
    return device;
  }

  private async requireDevice(id: string): Promise<DeviceView> {
    const device = await this.devices.get(id);
    if (!device) throw new NotFoundException(`device ${id} does not exist`);
    return device;
  }
}
