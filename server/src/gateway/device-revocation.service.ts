// Revoking a device: its credential stops working, its live connection is told DEVICE_REVOKED and dropped at
// once, and the jobs it held go back to the queue for other devices.
import { Injectable, Logger } from '@nestjs/common';
import { ErrorCode, ProtocolFault } from '../../../protocol/src/index.js';
import { AuditLogService } from '../audit/audit-log.service.js';
import { DeviceService, type DeviceView } from '../devices/device.service.js';
import { JobLeaseService } from '../jobs/job-lease.service.js';
import { DeviceSocketRegistry } from './device-socket.registry.js';

@Injectable()
export class DeviceRevocationService {
  private readonly logger = new Logger('Fleet');

  constructor(
    private readonly devices: DeviceService,
    private readonly leases: JobLeaseService,
    private readonly registry: DeviceSocketRegistry,
    private readonly audit: AuditLogService,
  ) {}

  /** Undefined when the device does not exist. Revoking twice is harmless. `actor` is recorded in the audit log. */
  async revoke(deviceId: string, actor = 'local'): Promise<DeviceView | undefined> {
    const device = await this.devices.revoke(deviceId);
    if (!device) return undefined;
    await this.audit.record(actor, 'device.revoked', deviceId, {});
    const fault = new ProtocolFault(ErrorCode.ERROR_CODE_DEVICE_REVOKED, 'this device was revoked by the operator');
    const dropped = this.registry.disconnectWith(deviceId, fault);
    const released = await this.leases.releaseDevice(deviceId, `device ${deviceId} was revoked`);
    this.logger.log(`[Fleet.Revoke] device=${deviceId}${dropped ? ' disconnected' : ''}, ${released} job(s) released`);
    return device;
  }
}
