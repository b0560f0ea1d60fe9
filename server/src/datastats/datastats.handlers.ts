// Device messages about fleet data efficiency. Pieces of forgetting statistics are accepted only from the device
// holding the job at that attempt, while the job is active and asked for statistics; a removal-set refresh is
// answered only for a held job that follows the fleet's removal sets with refresh EPOCH.
import { Injectable } from '@nestjs/common';
import {
  DataEfficiencySource,
  ErrorCode,
  ForgettingReportCadence,
  ProtocolFault,
  RemovalRefresh,
  type ForgettingStatsChunk,
  type RemovalSetRequest,
} from '../../../protocol/src/index.js';
import { reply, type DeviceSession, type HandlerResult } from '../common/session.types.js';
import { requireHeldJob } from '../jobs/job-holder.js';
import { JobService } from '../jobs/job.service.js';
import { DatastatsService } from './datastats.service.js';

@Injectable()
export class DatastatsHandlers {
  constructor(
    private readonly jobs: JobService,
    private readonly datastats: DatastatsService,
  ) {}

  async chunk(chunk: ForgettingStatsChunk, session: DeviceSession): Promise<HandlerResult> {
    const type = 'sparsefleet.v1.ForgettingStatsChunk';
    const job = await requireHeldJob(this.jobs, { jobId: chunk.jobId, deviceId: session.deviceId, attempt: chunk.attempt, type, requireActive: true });
    const reporting = job.spec.forgettingReporting;
    const cadence = reporting?.cadence ?? ForgettingReportCadence.FORGETTING_REPORT_CADENCE_UNSPECIFIED;
    const reports = cadence === ForgettingReportCadence.FORGETTING_REPORT_CADENCE_EPOCH || cadence === ForgettingReportCadence.FORGETTING_REPORT_CADENCE_FINAL;
    if (!reports || !reporting?.dataset) {
      throw new ProtocolFault(ErrorCode.ERROR_CODE_NOT_FOUND, `job ${job.id} asked for no forgetting statistics`, type);
    }
    // Report keys are bounded by the job's length, so a holder cannot leave pending pieces under endless keys.
    if (chunk.epoch > job.spec.epochs) {
      throw new ProtocolFault(ErrorCode.ERROR_CODE_INVALID_PAYLOAD, `epoch ${chunk.epoch} lies past the job's ${job.spec.epochs} epochs`, type);
    }
    const ack = await this.datastats.applyChunk(chunk, session.deviceId, reporting.dataset);
    return { reply: reply('sparsefleet.v1.ForgettingStatsAck', ack) };
  }

  async removalSet(request: RemovalSetRequest, session: DeviceSession): Promise<HandlerResult> {
    const type = 'sparsefleet.v1.RemovalSetRequest';
    const job = await requireHeldJob(this.jobs, { jobId: request.jobId, deviceId: session.deviceId, type, requireActive: true });
    const efficiency = job.spec.dataEfficiency;
    if (efficiency?.source !== DataEfficiencySource.DATA_EFFICIENCY_SOURCE_FLEET || efficiency.refresh !== RemovalRefresh.REMOVAL_REFRESH_EPOCH) {
      throw new ProtocolFault(ErrorCode.ERROR_CODE_NOT_FOUND, `job ${job.id} does not follow the fleet's removal sets with refresh every epoch`, type);
    }
    const newer = await this.datastats.newerRemovalSet(efficiency.removalSetId, request.knownVersion);
    return { reply: reply('sparsefleet.v1.RemovalSetReply', newer ? { changed: true, removalSet: newer } : { changed: false, removalSet: undefined }) };
  }
}
