// Pure handlers for what a device reports about the job it holds. A report is accepted only from the device
// holding the job, for its current attempt; storing is idempotent per (job, attempt, sequence).
import { Injectable } from '@nestjs/common';
import type { JobResult, ProgressReport } from '../../../generated/proto/sparsefleet/v1/job.js';
import { ErrorCode, ProtocolFault } from '../../../protocol/src/index.js';
import { reply, type DeviceSession, type HandlerResult } from '../common/session.types.js';
import { DeviceService } from '../devices/device.service.js';
import { AssignmentService } from './assignment.service.js';
import { JobReportService } from './job-report.service.js';
import { isTerminal, stateForOutcome } from './job-state.js';
import { JobService, type JobView } from './job.service.js';

const ACK = reply('sparsefleet.v1.Ack', { ok: true });

@Injectable()
export class JobHandlers {
  constructor(
    private readonly jobs: JobService,
    private readonly reports: JobReportService,
    private readonly devices: DeviceService,
    private readonly assignment: AssignmentService,
  ) {}

  async progress(report: ProgressReport, session: DeviceSession): Promise<HandlerResult> {
    const job = await this.heldJob(report.jobId, report.attempt, session, 'sparsefleet.v1.ProgressReport');
    await this.reports.recordProgress(report, session.deviceId);
    if (!isTerminal(job.state)) await this.jobs.markRunning(job.id, session.deviceId, report.attempt);
    return { reply: ACK };
  }

  async result(result: JobResult, session: DeviceSession): Promise<HandlerResult> {
    const finalState = stateForOutcome(result.outcome);
    if (!finalState) {
      throw new ProtocolFault(ErrorCode.ERROR_CODE_INVALID_PAYLOAD, 'JobResult.outcome must be set', 'sparsefleet.v1.JobResult');
    }
    const job = await this.heldJob(result.jobId, result.attempt, session, 'sparsefleet.v1.JobResult');
    const stored = await this.reports.recordResult(result, session.deviceId);
    if (stored && (await this.jobs.finish(job.id, session.deviceId, result.attempt, finalState))) {
      this.assignment.forgetJob(job.id);
      await this.devices.markIdle(session.deviceId);
      this.assignment.schedule();
    }
    return { reply: ACK };
  }

  private async heldJob(jobId: string, attempt: number, session: DeviceSession, type: string): Promise<JobView> {
    const job = await this.jobs.get(jobId);
    if (!job) throw new ProtocolFault(ErrorCode.ERROR_CODE_NOT_FOUND, `job ${jobId} does not exist`, type);
    if (job.deviceId !== session.deviceId) {
      throw new ProtocolFault(ErrorCode.ERROR_CODE_FORBIDDEN, `job ${jobId} is not assigned to this device`, type);
    }
    if (job.attempt !== attempt) {
      throw new ProtocolFault(
        ErrorCode.ERROR_CODE_CONFLICT,
        `job ${jobId} is at attempt ${job.attempt}, not ${attempt}`,
        type,
      );
    }
    return job;
  }
}
