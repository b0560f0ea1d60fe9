import { Controller, Get, NotFoundException, Param } from '@nestjs/common';
import { ApiOkResponse, ApiTags } from '@nestjs/swagger';
import { DeviceService, type DeviceView } from '../devices/device.service.js';

@ApiTags('devices')
@Controller('api/devices')
export class DeviceController {
  constructor(private readonly devices: DeviceService) {}

  @Get()
  @ApiOkResponse({ description: 'Every registered device with its facts, state and presence deadline.' })
  list(): Promise<DeviceView[]> {
    return this.devices.list();
  }

  @Get(':id')
  @ApiOkResponse({ description: 'One device.' })
  async get(@Param('id') id: string): Promise<DeviceView> {
    const device = await this.devices.get(id);
    if (!device) throw new NotFoundException(`device ${id} does not exist`);
    return device;
  }
}
