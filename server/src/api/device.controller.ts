import { Body, ConflictException, Controller, Get, HttpCode, NotFoundException, Param, Post, Put, Req } from '@nestjs/common';
import { ApiBody, ApiConflictResponse, ApiCreatedResponse, ApiNotFoundResponse, ApiOkResponse, ApiTags } from '@nestjs/swagger';
import { ProtocolFault } from '../../../protocol/src/index.js';
import { z } from 'zod';
import { DeviceService, type DeviceView, type TelemetrySample } from '../devices/device.service.js';
import { DeviceReclaimService } from '../devices/device-reclaim.service.js';
import type { CreatedEnrollmentToken } from '../devices/enrollment-token.service.js';
import { labelsSchema } from '../devices/labels.js';
import { operatorOf } from '../security/api-key.guard.js';
import { DeviceRevocationService } from '../gateway/device-revocation.service.js';
import { JobService, type JobView } from '../jobs/job.service.js';
import { jsonSchemaOf } from './openapi.js';
import { ZodValidationPipe } from './zod-validation.pipe.js';

export const deviceLabelsSchema = z.object({ labels: labelsSchema }).strict();

export const reclaimDeviceSchema = z
  .object({ ttlSeconds: z.number().int('must be an integer').min(60, 'must be >= 60').max(7 * 24 * 3600, 'must be <= 7 days').optional() })
  .strict();

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
    private readonly reclaims: DeviceReclaimService,
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
  async revoke(@Param('id') id: string, @Req() request: unknown): Promise<DeviceView> {
    const device = await this.revocation.revoke(id, operatorOf(request));
    if (!device) throw new NotFoundException(`device ${id} does not exist`);
    return device;
  }

  @Post(':id/reclaim')
  @HttpCode(201)
  @ApiBody({ schema: jsonSchemaOf(reclaimDeviceSchema), required: false })
  @ApiCreatedResponse({
    description:
      'A single-use enrollment token (shown once) that re-enrolls this device: same id, labels and history, a new ' +
      'credential; whoever holds the old credential is disconnected when it is used. Audited.',
  })
  @ApiNotFoundResponse({ description: 'No such device.' })
  @ApiConflictResponse({ description: 'The device was revoked.' })
  async reclaim(
    @Param('id') id: string,
    @Body(new ZodValidationPipe(reclaimDeviceSchema)) body: z.output<typeof reclaimDeviceSchema> | undefined,
    @Req() request: unknown,
  ): Promise<CreatedEnrollmentToken> {
    try {
      const token = await this.reclaims.issue(id, operatorOf(request), body?.ttlSeconds);
      if (!token) throw new NotFoundException(`device ${id} does not exist`);
      return token;
    } catch (error) {
      if (error instanceof ProtocolFault) throw new ConflictException(error.message);
      throw error;
    }
  }

  private async requireDevice(id: string): Promise<DeviceView> {
    const device = await this.devices.get(id);
    if (!device) throw new NotFoundException(`device ${id} does not exist`);
    return device;
  }
}
