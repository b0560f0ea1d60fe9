import { Body, ConflictException, Controller, Get, HttpCode, NotFoundException, Param, Post, Put, Req } from '@nestjs/common';
import { ApiBody, ApiConflictResponse, ApiCreatedResponse, ApiNotFoundResponse, ApiOkResponse, ApiTags } from '@nestjs/swagger';
import { DeviceService } from '../devices/device.service.js';
import { DeviceReclaimService } from '../devices/device-reclaim.service.js';
import type { DeviceView } from '../devices/device-view.js';
import { operatorOf } from '../security/api-key.guard.js';
import { DeviceRevocationService } from '../gateway/device-revocation.service.js';
import { JobService } from '../jobs/job.service.js';
import {
  DeviceDetailDto,
  DeviceDto,
  DeviceListEntryDto,
  deviceLabelsBodySchema,
  reclaimDeviceBodySchema,
  type DeviceLabelsBody,
  type ReclaimDeviceBody,
} from './dto/device.dto.js';
import { CreatedEnrollmentTokenDto } from './dto/enrollment-token.dto.js';
import { toDeviceDetailDto, toDeviceDto, toDeviceListEntryDto } from './mapping/device.mapping.js';
import { toCreatedEnrollmentTokenDto } from './mapping/enrollment-token.mapping.js';
import { dtoListSchema, dtoSchema, jsonSchemaOf } from './openapi.js';
import { ZodValidationPipe } from './zod-validation.pipe.js';

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
  @ApiOkResponse({
    description: 'Every registered device: facts, capabilities, labels, state, latest telemetry, current job.',
    schema: dtoListSchema(DeviceListEntryDto),
  })
  async list(): Promise<DeviceListEntryDto[]> {
    const [devices, assigned, running] = await Promise.all([
      this.devices.list(),
      this.jobs.list('assigned'),
      this.jobs.list('running'),
    ]);
    const held = new Map([...assigned, ...running].map((job) => [job.deviceId, job.id]));
    return devices.map((device) => toDeviceListEntryDto(device, held.get(device.id) ?? null));
  }

  @Get(':id')
  @ApiOkResponse({ description: 'One device with its telemetry history and current job.', schema: dtoSchema(DeviceDetailDto) })
  @ApiNotFoundResponse({ description: 'No such device.' })
  async get(@Param('id') id: string): Promise<DeviceDetailDto> {
    const device = await this.requireDevice(id);
    const [telemetryHistory, held] = await Promise.all([this.devices.telemetryHistory(id), this.jobs.listHeld(id)]);
    return toDeviceDetailDto(device, telemetryHistory, held[0] ?? null);
  }

  @Put(':id/labels')
  @ApiBody({ schema: jsonSchemaOf(deviceLabelsBodySchema) })
  @ApiOkResponse({ description: 'The device with its new operator labels (they replace the previous ones).', schema: dtoSchema(DeviceDto) })
  async setLabels(@Param('id') id: string, @Body(new ZodValidationPipe(deviceLabelsBodySchema)) body: DeviceLabelsBody): Promise<DeviceDto> {
    const device = await this.devices.setLabels(id, body.labels);
    if (!device) throw new NotFoundException(`device ${id} does not exist`);
    return toDeviceDto(device);
  }

  @Post(':id/revoke')
  @HttpCode(200)
  @ApiOkResponse({ description: 'The revoked device: its credential is invalid and its connection was dropped.', schema: dtoSchema(DeviceDto) })
  @ApiNotFoundResponse({ description: 'No such device.' })
  async revoke(@Param('id') id: string, @Req() request: unknown): Promise<DeviceDto> {
    const device = await this.revocation.revoke(id, operatorOf(request));
    if (!device) throw new NotFoundException(`device ${id} does not exist`);
    return toDeviceDto(device);
  }

  @Post(':id/reclaim')
  @HttpCode(201)
  @ApiBody({ schema: jsonSchemaOf(reclaimDeviceBodySchema), required: false })
  @ApiCreatedResponse({
    description:
      'A single-use enrollment token (shown once) that re-enrolls this device: same id, labels and history, a new ' +
      'credential; whoever holds the old credential is disconnected when it is used. Audited.',
    schema: dtoSchema(CreatedEnrollmentTokenDto),
  })
  @ApiNotFoundResponse({ description: 'No such device.' })
  @ApiConflictResponse({ description: 'The device was revoked.' })
  async reclaim(
    @Param('id') id: string,
    @Body(new ZodValidationPipe(reclaimDeviceBodySchema)) body: ReclaimDeviceBody | undefined,
    @Req() request: unknown,
  ): Promise<CreatedEnrollmentTokenDto> {
    const outcome = await this.reclaims.issue(id, operatorOf(request), body?.ttlSeconds);
    if (outcome.kind === 'not-found') throw new NotFoundException(`device ${id} does not exist`);
    if (outcome.kind === 'revoked') throw new ConflictException(`device ${id} was revoked; it cannot be reclaimed`);
    return toCreatedEnrollmentTokenDto(outcome.token);
  }

  private async requireDevice(id: string): Promise<DeviceView> {
    const device = await this.devices.get(id);
    if (!device) throw new NotFoundException(`device ${id} does not exist`);
    return device;
  }
}
