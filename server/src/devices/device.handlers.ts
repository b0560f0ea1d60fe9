// Pure handler for enrollment: no sockets here, only the decoded message and the session. Hello and Heartbeat
// also touch job leases, so they live in jobs/presence.handlers.ts. One enrollment per enrollment connection
// (pipelined EnrollRequests cannot enroll several devices), counted against the connection's address.
import { Inject, Injectable, Logger } from '@nestjs/common';
import type { EnrollRequest } from '../../../protocol/src/index.js';
import { ErrorCode, ProtocolFault } from '../../../protocol/src/index.js';
import { COORDINATOR_CONFIG, type CoordinatorConfig } from '../config/coordinator-config.js';
import { reply, type EnrollmentSession, type HandlerResult } from '../common/session.types.js';
import { DeviceChannelLimits, backingOff } from '../security/device-channel-limits.js';
import { DeviceReclaimService } from './device-reclaim.service.js';
import { DeviceService } from './device.service.js';

const TYPE = 'sparsefleet.v1.EnrollRequest';

@Injectable()
export class DeviceHandlers {
  private readonly logger = new Logger('Fleet');
  /** Enrollment sessions that have an enrollment in flight or done (the session object is the connection's). */
  private readonly usedSessions = new WeakSet<EnrollmentSession>();

  constructor(
    private readonly devices: DeviceService,
    private readonly reclaims: DeviceReclaimService,
    private readonly limits: DeviceChannelLimits,
    @Inject(COORDINATOR_CONFIG) private readonly config: CoordinatorConfig,
  ) {}

  async enroll(request: EnrollRequest, session: EnrollmentSession): Promise<HandlerResult> {
    // Claimed before the first await, so a second EnrollRequest pipelined on the connection finds it taken.
    if (this.usedSessions.has(session)) {
      throw new ProtocolFault(ErrorCode.ERROR_CODE_FORBIDDEN, 'one enrollment per enrollment connection; reconnect to enroll another device', TYPE);
    }
    this.usedSessions.add(session);
    try {
      return await this.enrollOnce(request, session);
    } catch (error) {
      // Nothing was enrolled: the connection may try again (the limits below still apply).
      this.usedSessions.delete(session);
      throw error;
    }
  }

  private async enrollOnce(request: EnrollRequest, session: EnrollmentSession): Promise<HandlerResult> {
    const address = session.remoteAddress;
    const previousDeviceId = request.previousDeviceId || undefined;
    // A proof is a credential check: while the address or the device id backs off, an unchecked claim is refused.
    const gate = request.previousCredential ? this.limits.authGate(address, previousDeviceId) : undefined;
    if (gate && gate.waitMs > 0 && !gate.checkAnyway) throw backingOff(gate.waitMs);
    const waitMs = await this.limits.chargeEnrollment(address);
    if (waitMs > 0) {
      throw new ProtocolFault(ErrorCode.ERROR_CODE_RATE_LIMITED, `too many enrollments from this address; retry in ${Math.ceil(waitMs / 1000)} s`, TYPE);
    }
    const enrolled = await this.devices.enroll({
      tokenId: session.tokenId,
      facts: request.facts,
      displayName: request.displayName,
      previousDeviceId,
      previousCredential: request.previousCredential,
    });
    if (enrolled.unprovenClaim === 'invalid') this.limits.authFailed(address, previousDeviceId);
    if (enrolled.unprovenClaim) {
      this.logger.warn(
        `[Fleet.Enroll] claim to be device ${previousDeviceId} without ${enrolled.unprovenClaim === 'missing' ? 'proof' : 'valid proof'}: enrolled as new device ${enrolled.deviceId}`,
      );
    }
    if (enrolled.viaReclaimToken) await this.reclaims.recordReclaimed(enrolled.deviceId, session.tokenId);
    return {
      reply: reply('sparsefleet.v1.EnrollResponse', {
        deviceId: enrolled.deviceId,
        credential: enrolled.credential,
        heartbeatIntervalMs: this.config.heartbeatIntervalMs,
        reenrolled: enrolled.reenrolled,
      }),
      // The enrolling connection continues as the device (it may send Hello next without reconnecting).
      session: { kind: 'device', deviceId: enrolled.deviceId, remoteAddress: address, greeted: false },
    };
  }
}
