// Operator cancellation: the job ends as `cancelled`, its device (if it had one) is freed and told to stop.
import { Injectable } from '@nestjs/common';
import { DeviceService } from '../devices/device.service.js';
import { DeviceChannel } from './device-channel.js';
import { ACTIVE_JOB_STATES } from './job-state.js';
import { JobService, type JobView } from './job.service.js';

export type CancelOutcome =
  | { readonly kind: 'cancelled'; readonly job: JobView }
  | { readonly kind: 'not-found' }
  | { readonly kind: 'already-finished'; readonly job: JobView };

@Injectable()
export class JobCancellationService {
  constructor(
    private readonly jobs: JobService,
    private readonly devices: DeviceService,
    private readonly channel: DeviceChannel,
  ) {}

  async cancel(jobId: string, reason = 'cancelled by the operator'): Promise<CancelOutcome> {
    const before = await this.jobs.get(jobId);
    if (!before) return { kind: 'not-found' };
    if (!(await this.jobs.cancel(jobId, reason))) {
      const now = await this.jobs.get(jobId);
      return { kind: 'already-finished', job: now ?? before };
    }
    if (before.deviceId && ACTIVE_JOB_STATES.includes(before.state)) {
      await this.devices.markIdle(before.deviceId);
      this.channel.cancel(before.deviceId, jobId, reason);
    }
    const job = await this.jobs.get(jobId);
    return { kind: 'cancelled', job: job ?? before };
  }
}
