// Pure handlers for checkpoint transfer. Uploads are accepted only from the device holding the job at that
// attempt; reads only from the device the job is assigned to now (a resumed attempt on another device).
import { Injectable } from '@nestjs/common';
import type {
  CheckpointChunk,
  CheckpointCommit,
  CheckpointFetchRequest,
} from '../../../protocol/src/index.js';
import { reply, type DeviceSession, type HandlerResult } from '../common/session.types.js';
import { requireHeldJob } from '../jobs/job-holder.js';
import { JobService } from '../jobs/job.service.js';
import { CheckpointService } from './checkpoint.service.js';

const ACK = reply('sparsefleet.v1.Ack', { ok: true });

@Injectable()
export class CheckpointHandlers {
  constructor(
    private readonly jobs: JobService,
    private readonly checkpoints: CheckpointService,
  ) {}

  async chunk(chunk: CheckpointChunk, session: DeviceSession): Promise<HandlerResult> {
    await requireHeldJob(this.jobs, {
      jobId: chunk.jobId,
      deviceId: session.deviceId,
      attempt: chunk.attempt,
      type: 'sparsefleet.v1.CheckpointChunk',
      requireActive: true,
    });
    await this.checkpoints.storeChunk(chunk);
    return { reply: ACK };
  }

  async commit(commit: CheckpointCommit, session: DeviceSession): Promise<HandlerResult> {
    await requireHeldJob(this.jobs, {
      jobId: commit.jobId,
      deviceId: session.deviceId,
      attempt: commit.attempt,
      type: 'sparsefleet.v1.CheckpointCommit',
      requireActive: true,
    });
    await this.checkpoints.commit(commit, session.deviceId);
    return { reply: ACK };
  }

  async fetch(request: CheckpointFetchRequest, session: DeviceSession): Promise<HandlerResult> {
    await requireHeldJob(this.jobs, {
      jobId: request.jobId,
      deviceId: session.deviceId,
      type: 'sparsefleet.v1.CheckpointFetchRequest',
      requireActive: true,
    });
    const piece = await this.checkpoints.read(request.jobId, request.checkpointId, request.offset, request.length);
    return { reply: reply('sparsefleet.v1.CheckpointFetchResponse', piece) };
  }
}
