// Hello and Heartbeat: presence of the device (deadline, facts, telemetry) and the leases of the jobs it says it
// runs. A device that still holds a job after a reconnect comes back busy, not idle. The leases belong to jobs/,
// which depends on devices/: they are reached through the HeldJobLeases port, provided where both are wired.
// Heartbeats are the hot path (10,000 devices at a 5 s interval are 2,000 a second): they are written by group
// commit, a batch of them per read of the devices' jobs, lease update and presence transaction, and each is
// answered once its batch is stored; a beat that only refreshes presence held in memory is answered at once.
import { Inject, Injectable, Optional } from '@nestjs/common';
import { CLOCK, realClock, type Clock } from '../common/clock.js';
import type { Heartbeat, HelloRequest } from '../../../protocol/src/index.js';
import { GroupCommit } from '../common/group-commit.js';
import { COORDINATOR_CONFIG, type CoordinatorConfig } from '../config/coordinator-config.js';
import { reply, type DeviceSession, type HandlerResult } from '../common/session.types.js';
import { DeviceService, type HeartbeatRecord } from './device.service.js';

/** How many jobs a device still holds after it said which ones it runs (the listed ones renewed). */
export interface HeldJobs {
  readonly held: number;
}

/** The jobs one heartbeat says its device runs. */
export interface HeartbeatJobs {
  readonly deviceId: string;
  readonly runningJobIds: readonly string[];
}

/** The job leases a device's Hello and Heartbeat renew. */
export interface HeldJobLeases {
  /** After a (re)connect: keeps the listed jobs the device holds, abandons the ones it no longer lists. */
  reconcileOnHello(deviceId: string, runningJobIds: readonly string[]): Promise<HeldJobs>;
  /** Renews the leases of the held jobs each heartbeat lists; what each heartbeat's device holds, by device id. */
  renewFromHeartbeats(beats: readonly HeartbeatJobs[]): Promise<Map<string, HeldJobs>>;
}

/** Injection token of the HeldJobLeases port. */
export const HELD_JOB_LEASES = Symbol('HELD_JOB_LEASES');

/**
 * Heartbeat batches written at once: on PostgreSQL a batch is three round trips, and one writer at a time made a
 * device's pipelined heartbeats wait for each other's (the pool overlaps them); SQLite runs them one by one anyway.
 */
const BATCHES_AT_ONCE = 4;

interface PendingBeat {
  readonly request: Heartbeat;
  readonly session: DeviceSession;
}

@Injectable()
export class PresenceHandlers {
  private readonly beats = new GroupCommit<PendingBeat, Error | undefined>((batch) => this.recordBeats(batch), 2048, BATCHES_AT_ONCE);

  constructor(
    private readonly devices: DeviceService,
    @Inject(HELD_JOB_LEASES) private readonly leases: HeldJobLeases,
    @Inject(COORDINATOR_CONFIG) private readonly config: CoordinatorConfig,
    @Optional() @Inject(CLOCK) private readonly clock: Clock = realClock,
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
    // A beat that lists no job from a device this node holds present needs neither its jobs read nor its row
    // written: it is answered at once, not after the batch of beats that do need a write (a telemetry sample is due
    // for about one device in twelve each beat at 10,000 devices, so nearly every batch holds one).
    const inMemory = session.greeted && request.runningJobIds.length === 0 && this.devices.heardInMemory(session.deviceId, request.telemetry);
    if (!inMemory) {
      const fault = await this.beats.add({ request, session });
      if (fault) throw fault;
    }
    return {
      reply: reply('sparsefleet.v1.HeartbeatAck', {
        serverTimeMs: this.clock.now(),
        heartbeatIntervalMs: this.config.heartbeatIntervalMs,
      }),
    };
  }

  private async recordBeats(batch: readonly PendingBeat[]): Promise<(Error | undefined)[]> {
    const held = await this.leases.renewFromHeartbeats(
      batch.map(({ request, session }) => ({ deviceId: session.deviceId, runningJobIds: request.runningJobIds })),
    );
    // Never frees a busy device here: between reserving a device and recording its job, it holds none yet. Before
    // its Hello a connection's heartbeats record telemetry only: presence (and with it new work) starts at the Hello.
    const records = batch.map(({ request, session }): HeartbeatRecord => {
      const holds = (held.get(session.deviceId)?.held ?? 0) > 0;
      return { deviceId: session.deviceId, telemetry: request.telemetry, options: { ...(holds ? { busy: true } : {}), presence: session.greeted } };
    });
    return this.devices.recordHeartbeats(records);
  }
}
