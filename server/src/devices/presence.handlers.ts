// Hello and Heartbeat: presence of the device (deadline, facts, telemetry) and the leases of the jobs it says it
// runs. A device that still holds a job after a reconnect comes back busy, not idle. The leases belong to jobs/,
// which depends on devices/: they are reached through the HeldJobLeases port, provided where both are wired.
import { Inject, Injectable } from '@nestjs/common';
import type { Heartbeat, HelloRequest } from '../../../protocol/src/index.js';
import { COORDINATOR_CONFIG, type CoordinatorConfig } from '../config/coordinator-config.js';
import { reply, type DeviceSession, type HandlerResult } from '../common/session.types.js';
import { DeviceService } from './device.service.js';

/** How many jobs a device still holds after it said which ones it runs (the listed ones renewed). */
export interface HeldJobs {
  readonly held: number;
}

/** The job leases a device's Hello and Heartbeat renew. */
export interface HeldJobLeases {
  /** After a (re)connect: keeps the listed jobs the device holds, abandons the ones it no longer lists. */
  reconcileOnHello(deviceId: string, runningJobIds: readonly string[]): Promise<HeldJobs>;
  /** Renews the leases of the held jobs a heartbeat lists. */
  renewFromHeartbeat(deviceId: string, runningJobIds: readonly string[]): Promise<HeldJobs>;
}

/** Injection token of the HeldJobLeases port. */
export const HELD_JOB_LEASES = Symbol('HELD_JOB_LEASES');

@Injectable()
export class PresenceHandlers {
  constructor(
    private readonly devices: DeviceService,
    @Inject(HELD_JOB_LEASES) private readonly leases: HeldJobLeases,
    @Inject(COORDINATOR_CONFIG) private readonly config: CoordinatorConfig,
  ) {}

  async hello(request: HelloRequest, session: DeviceSession): Promise<HandlerResult> {
    const { held } = await this.leases.reconcileOnHello(session.deviceId, request.runningJobIds);
    await this.devices.hello(session.deviceId, request.facts, { busy: held > 0 });
    return {
      reply: reply('sparsefleet.v1.HelloResponse', {
        deviceId: session.deviceId,
        heartbeatIntervalMs: this.config.heartbeatIntervalMs,
      }),
      session: { ...session, greeted: true },
    };
  }

  async heartbeat(request: Heartbeat, session: DeviceSession): Promise<HandlerResult> {
    const { held } = await this.leases.renewFromHeartbeat(session.deviceId, request.runningJobIds);
    // Never frees a busy device here: between reserving a device and recording its job, it holds none yet. Before
    // its Hello a connection's heartbeats record telemetry only: presence (and with it new work) starts at the Hello.
    await this.devices.heartbeat(session.deviceId, request.telemetry, { ...(held > 0 ? { busy: true } : {}), presence: session.greeted });
    return {
      reply: reply('sparsefleet.v1.HeartbeatAck', {
        serverTimeMs: Date.now(),
        heartbeatIntervalMs: this.config.heartbeatIntervalMs,
      }),
    };
  }
}
