// Pure handlers for the device life-cycle messages: no sockets here, only the decoded message and the session.
import { Inject, Injectable } from '@nestjs/common';
import type { EnrollRequest, Heartbeat, HelloRequest } from '../../../generated/proto/sparsefleet/v1/device.js';
import { COORDINATOR_CONFIG, type CoordinatorConfig } from '../config/coordinator-config.js';
import { reply, type DeviceSession, type EnrollmentSession, type HandlerResult } from '../common/session.types.js';
import { DeviceService } from './device.service.js';

@Injectable()
export class DeviceHandlers {
  constructor(
    private readonly devices: DeviceService,
    @Inject(COORDINATOR_CONFIG) private readonly config: CoordinatorConfig,
  ) {}

  async enroll(request: EnrollRequest, session: EnrollmentSession): Promise<HandlerResult> {
    const { deviceId, credential } = await this.devices.enroll(session.tokenId, request.facts, request.displayName);
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

  async hello(request: HelloRequest, session: DeviceSession): Promise<HandlerResult> {
    await this.devices.hello(session.deviceId, request.facts);
    return {
      reply: reply('sparsefleet.v1.HelloResponse', {
        deviceId: session.deviceId,
        heartbeatIntervalMs: this.config.heartbeatIntervalMs,
      }),
    };
  }

  async heartbeat(request: Heartbeat, session: DeviceSession): Promise<HandlerResult> {
    await this.devices.heartbeat(session.deviceId, request.telemetry);
    return {
      reply: reply('sparsefleet.v1.HeartbeatAck', {
        serverTimeMs: Date.now(),
        heartbeatIntervalMs: this.config.heartbeatIntervalMs,
      }),
    };
  }
}
