// Pure handler for enrollment: no sockets here, only the decoded message and the session. Hello and Heartbeat
// also touch job leases, so they live in jobs/presence.handlers.ts.
import { Inject, Injectable } from '@nestjs/common';
import type { EnrollRequest } from '../../../generated/proto/sparsefleet/v1/device.js';
import { COORDINATOR_CONFIG, type CoordinatorConfig } from '../config/coordinator-config.js';
import { reply, type EnrollmentSession, type HandlerResult } from '../common/session.types.js';
import { DeviceService } from './device.service.js';

@Injectable()
export class DeviceHandlers {
  constructor(
    private readonly devices: DeviceService,
    @Inject(COORDINATOR_CONFIG) private readonly config: CoordinatorConfig,
  ) {}

  async enroll(request: EnrollRequest, session: EnrollmentSession): Promise<HandlerResult> {
    const { deviceId, credential } = await this.devices.enroll(
      session.tokenId,
      request.facts,
      request.displayName,
      new Date(),
      request.previousDeviceId ?? '',
    );
    return {
      reply: reply('sparsefleet.v1.EnrollResponse', {
        deviceId,
        credential,
        heartbeatIntervalMs: this.config.heartbeatIntervalMs,
      }),
      // The enrolling connection continues as the new device (it may send Hello next without reconnecting).
      session: { kind: 'device', deviceId },
    };
  }
}
