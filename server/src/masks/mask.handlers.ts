// Device messages about masks. Pieces of mask updates are accepted only from the device holding the job at that
// attempt while the job is active; the initial-mask snapshot is served only to the device the job is assigned to.
import { Injectable } from '@nestjs/common';
import { ErrorCode, ProtocolFault, type MaskFetchRequest, type MaskUpdateChunk } from '../../../protocol/src/index.js';
import { reply, type DeviceSession, type HandlerResult } from '../common/session.types.js';
import { requireHeldJob } from '../jobs/job-holder.js';
import { JobService } from '../jobs/job.service.js';
import { MaskService } from './mask.service.js';

@Injectable()
export class MaskHandlers {
  constructor(
    private readonly jobs: JobService,
    private readonly masks: MaskService,
  ) {}

  async chunk(chunk: MaskUpdateChunk, session: DeviceSession): Promise<HandlerResult> {
    await requireHeldJob(this.jobs, {
      jobId: chunk.jobId,
      deviceId: session.deviceId,
      attempt: chunk.attempt,
      type: 'sparsefleet.v1.MaskUpdateChunk',
      requireActive: true,
    });
    const ack = await this.masks.applyChunk(chunk);
    return { reply: reply('sparsefleet.v1.MaskUpdateAck', ack) };
  }

  async fetch(request: MaskFetchRequest, session: DeviceSession): Promise<HandlerResult> {
    const type = 'sparsefleet.v1.MaskFetchRequest';
    const job = await requireHeldJob(this.jobs, { jobId: request.jobId, deviceId: session.deviceId, type, requireActive: true });
    const initialMask = job.spec.initialMask;
    if (!initialMask?.jobId) throw new ProtocolFault(ErrorCode.ERROR_CODE_NOT_FOUND, `job ${job.id} does not start from a stored mask`, type);
    const piece = await this.masks.snapshotPiece(job.id, initialMask, request.offset, request.length);
    return { reply: reply('sparsefleet.v1.MaskFetchResponse', piece) };
  }
}
