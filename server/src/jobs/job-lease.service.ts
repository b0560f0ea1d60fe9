// Leases: an assigned job is held only while its device keeps saying so. Progress reports, heartbeats listing the
// job and a Hello listing it renew the lease; a mere disconnect does not end it (a device that reconnects in time
// keeps its job). When the lease passes, the attempt is abandoned and the job goes back to the queue with
// attempt + 1 (another device preferred), or fails after its last attempt.
import { Inject, Injectable, Logger, Optional } from '@nestjs/common';
import { CLOCK, clockDate, realClock, type Clock } from '../common/clock.js';
import { GroupCommit } from '../common/group-commit.js';
import { DeviceService } from '../devices/device.service.js';
import type { HeartbeatJobs, HeldJobLeases, HeldJobs } from '../devices/presence.handlers.js';
import { DomainEventBus } from '../events/event-bus.js';
import { DeviceChannel } from './device-channel.js';
import type { HeldJobRef } from './job.repository.js';
import { JobService, type JobView } from './job.service.js';

@Injectable()
export class JobLeaseService implements HeldJobLeases {
  private readonly logger = new Logger('Fleet');
  /** Whether each device holds a job, for the Hellos that arrive together: one read per 256 devices. */
  private readonly holdCheck = new GroupCommit<string, boolean>(async (deviceIds) => {
    const holders = new Set((await this.jobs.listHeldRefs(deviceIds)).map((ref) => ref.deviceId));
    return deviceIds.map((id) => holders.has(id));
  });

  constructor(
    private readonly jobs: JobService,
    private readonly devices: DeviceService,
    private readonly channel: DeviceChannel,
    private readonly events: DomainEventBus,
    @Optional() @Inject(CLOCK) private readonly clock: Clock = realClock,
  ) {}

  /**
   * After a (re)connect: listed jobs the device holds keep their attempt (lease renewed); held jobs it no longer
   * lists were lost (agent restarted) and are abandoned now; listed jobs it does not hold are cancelled on it.
   */
  async reconcileOnHello(deviceId: string, runningJobIds: readonly string[], now = clockDate(this.clock)): Promise<HeldJobs> {
    // A device that lists no job and holds none (nearly every Hello of a reconnect storm) has nothing to reconcile.
    if (runningJobIds.length === 0 && !(await this.holdCheck.add(deviceId))) return { held: 0 };
    const listed = new Set(runningJobIds);
    let held = 0;
    for (const job of await this.jobs.listHeld(deviceId)) {
      if (listed.has(job.id)) {
        if (await this.jobs.renewLease(job.id, deviceId, job.attempt, now)) held += 1;
        listed.delete(job.id);
      } else {
        await this.abandon(job, deviceId, `device ${deviceId} reconnected without the job (agent restarted?)`, now);
      }
    }
    for (const jobId of listed) this.channel.cancel(deviceId, jobId, 'this device no longer holds the job');
    return { held };
  }

  /**
   * A batch of heartbeats: each renews the leases of the held jobs it lists and cancels listed jobs its device does
   * not hold. One read of the devices' jobs and one lease update for the whole batch.
   */
  async renewFromHeartbeats(beats: readonly HeartbeatJobs[], now = clockDate(this.clock)): Promise<Map<string, HeldJobs>> {
    const deviceIds = [...new Set(beats.map((beat) => beat.deviceId))];
    const heldByDevice = new Map<string, HeldJobRef[]>(deviceIds.map((id) => [id, []]));
    for (const ref of await this.jobs.listHeldRefs(deviceIds)) heldByDevice.get(ref.deviceId)?.push(ref);
    const renew = new Map<string, HeldJobRef>();
    for (const beat of beats) {
      const held = heldByDevice.get(beat.deviceId) ?? [];
      for (const ref of held) if (beat.runningJobIds.includes(ref.id)) renew.set(ref.id, ref);
      for (const jobId of beat.runningJobIds) {
        if (!held.some((ref) => ref.id === jobId)) this.channel.cancel(beat.deviceId, jobId, 'this device no longer holds the job');
      }
    }
    await this.jobs.renewLeases([...renew.values()], now);
    return new Map([...heldByDevice].map(([deviceId, held]) => [deviceId, { held: held.length }]));
  }

  /**
   * The lease sweep: abandons every attempt whose lease passed; returns how many. An attempt whose device's frame,
   * received before the lease ended, is still in hand here waits for the next sweep.
   */
  async expireDue(now = clockDate(this.clock)): Promise<number> {
    let expired = 0;
    for (const job of await this.jobs.listLeaseExpired(now)) {
      if (!job.deviceId) continue;
      // Its device sent a frame before the lease ended that is still being handled here (a result, a heartbeat
      // listing the job): the coordinator is behind, not the device. The next sweep decides once it is handled.
      if (job.leaseExpiresAt && this.channel.handlesFrameReceivedBy(job.deviceId, Date.parse(job.leaseExpiresAt))) continue;
      const reason = `lease expired: device ${job.deviceId} did not renew it since ${job.leaseExpiresAt ?? 'assignment'}`;
      if (await this.abandon(job, job.deviceId, reason, now)) {
        expired += 1;
        this.events.publish({ type: 'LeaseExpired', jobId: job.id, attempt: job.attempt });
      }
    }
    return expired;
  }

  /** Abandons every job the device holds (e.g. it was revoked); returns how many. */
  async releaseDevice(deviceId: string, reason: string, now = clockDate(this.clock)): Promise<number> {
    let released = 0;
    for (const job of await this.jobs.listHeld(deviceId)) {
      if (await this.abandon(job, deviceId, reason, now)) released += 1;
    }
    return released;
  }

  private async abandon(job: JobView, deviceId: string, reason: string, now: Date): Promise<boolean> {
    if (!(await this.jobs.requeue(job, deviceId, reason, now))) return false;
    const outcome = job.attempt >= job.maxAttempts ? 'failed' : `requeued as attempt ${job.attempt + 1}`;
    this.logger.warn(`job ${job.id} attempt ${job.attempt} abandoned (${reason}); ${outcome}`);
    await this.devices.markIdle(deviceId);
    this.channel.cancel(deviceId, job.id, reason);
    return true;
  }
}
