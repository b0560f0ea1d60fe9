// Device messages of federated client tasks: pieces of the round's global model (only to the device holding the
// task, while it is active) and pieces of the client's update (FederatedUpdateService says which are accepted).
import { Injectable } from '@nestjs/common';
import {
  ErrorCode,
  MAX_MASK_CHUNK_BYTES,
  ProtocolFault,
  type FederatedModelFetchRequest,
  type FederatedUpdateChunk,
} from '../../../protocol/src/index.js';
import { reply, type DeviceSession, type HandlerResult } from '../common/session.types.js';
import { requireHeldJob } from '../jobs/job-holder.js';
import { JobService } from '../jobs/job.service.js';
import { FederatedModels } from './federated-models.js';
import { FederatedUpdateService } from './federated-update.service.js';
import { FederatedRepository } from './federated.repository.js';

@Injectable()
export class FederatedHandlers {
  constructor(
    private readonly jobs: JobService,
    private readonly repository: FederatedRepository,
    private readonly models: FederatedModels,
    private readonly updates: FederatedUpdateService,
  ) {}

  async fetchModel(request: FederatedModelFetchRequest, session: DeviceSession): Promise<HandlerResult> {
    const type = 'sparsefleet.v1.FederatedModelFetchRequest';
    await requireHeldJob(this.jobs, { jobId: request.jobId, deviceId: session.deviceId, type, requireActive: true });
    const participant = await this.repository.findParticipantByTask(request.jobId);
    if (!participant) throw new ProtocolFault(ErrorCode.ERROR_CODE_NOT_FOUND, `job ${request.jobId} is not a federated client task`, type);
    const model = await this.models.of(participant.job_id, participant.round);
    if (!model) throw new ProtocolFault(ErrorCode.ERROR_CODE_NOT_FOUND, `round ${participant.round} has no model`, type);
    const total = model.bytes.length;
    if (request.offset > total) throw new ProtocolFault(ErrorCode.ERROR_CODE_INVALID_PAYLOAD, `offset ${request.offset} is past the model's ${total} bytes`, type);
    const length = Math.min(request.length || MAX_MASK_CHUNK_BYTES, MAX_MASK_CHUNK_BYTES, total - request.offset);
    const data = model.bytes.subarray(request.offset, request.offset + length);
    const key = { jobId: participant.job_id, round: participant.round, clientIndex: participant.client_index };
    await this.repository.addParticipantBytesDown(key, data.length);
    await this.repository.addRoundBytesDown(participant.job_id, participant.round, data.length);
    return {
      reply: reply('sparsefleet.v1.FederatedModelFetchResponse', {
        jobId: request.jobId,
        round: participant.round,
        offset: request.offset,
        totalBytes: total,
        checksum: model.checksum,
        data,
      }),
    };
  }

  async chunk(chunk: FederatedUpdateChunk, session: DeviceSession): Promise<HandlerResult> {
    const ack = await this.updates.applyChunk(chunk, session.deviceId);
    return { reply: reply('sparsefleet.v1.FederatedUpdateAck', ack) };
  }
}
