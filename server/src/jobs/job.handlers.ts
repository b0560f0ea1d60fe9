// Pure handlers for what a device reports about the job it holds. A report is accepted only from the device
// holding the job, for its current attempt. Reports are idempotent per (job, attempt, sequence): a resend with the
// same content is acknowledged, the same key with other content is a CONFLICT and the first record stays. A job
// has exactly one result, and once its attempt has ended nothing new is stored for it (ATTEMPT_ENDED).
import { nonFiniteField } from '../common/validation.js';
import { Injectable } from '@nestjs/common';
import type { JobResult, ProgressReport } from '../../../protocol/src/index.js';
import { ErrorCode, ProtocolFault } from '../../../protocol/src/index.js';
import { reply, type DeviceSession, type HandlerResult } from '../common/session.types.js';
import { DeviceService } from '../devices/device.service.js';
import { MetricsService, type ReportKind } from '../metrics/metrics.service.js';
import { requireHeldJob } from './job-holder.js';
import { JobReportService, type ReportRecording } from './job-report.service.js';
import { isTerminal, stateForOutcome } from './job-state.js';
import { JobService } from './job.service.js';

const ACK = reply('sparsefleet.v1.Ack', { ok: true });

@Injectable()
export class JobHandlers {
  constructor(
    private readonly jobs: JobService,
    private readonly reports: JobReportService,
    private readonly devices: DeviceService,
    private readonly metrics: MetricsService,
  ) {}

  async progress(report: ProgressReport, session: DeviceSession): Promise<HandlerResult> {
    requireFinite(report, 'sparsefleet.v1.ProgressReport');
    const job = await requireHeldJob(this.jobs, {
      jobId: report.jobId,
      deviceId: session.deviceId,
      attempt: report.attempt,
      type: 'sparsefleet.v1.ProgressReport',
    });
    const recording = await this.reports.recordProgress(report, session.deviceId, isTerminal(job.state));
    this.refuseUnless(recording, 'progress', job.id, 'sparsefleet.v1.ProgressReport');
    this.metrics.reportReceived('progress');
    if (!isTerminal(job.state)) {
      await this.jobs.markRunning(job.id, session.deviceId, report.attempt);
      await this.jobs.renewLease(job.id, session.deviceId, report.attempt);
    }
    return { reply: ACK };
  }

  async result(result: JobResult, session: DeviceSession): Promise<HandlerResult> {
    const type = 'sparsefleet.v1.JobResult';
    const finalState = stateForOutcome(result.outcome);
    if (!finalState) throw new ProtocolFault(ErrorCode.ERROR_CODE_INVALID_PAYLOAD, 'JobResult.outcome must be set', type);
    requireFinite(result, type);
    const job = await requireHeldJob(this.jobs, { jobId: result.jobId, deviceId: session.deviceId, attempt: result.attempt, type });
    const recording = await this.reports.recordResult(result, session.deviceId, isTerminal(job.state));
    this.refuseUnless(recording, 'result', job.id, type);
    this.metrics.reportReceived('result');
    if (recording === 'stored' && (await this.jobs.finish(job.id, session.deviceId, result.attempt, finalState))) {
      await this.devices.markIdle(session.deviceId);
    }
    return { reply: ACK };
  }

  /** Passes 'stored' and 'duplicate'; throws the protocol error for a conflict or an ended attempt. */
  private refuseUnless(recording: ReportRecording, kind: ReportKind, jobId: string, type: string): void {
    if (recording === 'conflict') {
      this.metrics.reportConflict(kind);
      const what = kind === 'result' ? `job ${jobId} already has a different result` : `a different ${kind} report was stored under this sequence number`;
      throw new ProtocolFault(ErrorCode.ERROR_CODE_CONFLICT, `${what}; the first one is kept`, type);
    }
    if (recording === 'attempt-ended') {
      throw new ProtocolFault(ErrorCode.ERROR_CODE_ATTEMPT_ENDED, `job ${jobId} has ended; the ${kind} report was not stored`, type);
    }
  }
}

function requireFinite(message: object, type: string): void {
  const field = nonFiniteField(message);
  if (field !== undefined) {
    throw new ProtocolFault(ErrorCode.ERROR_CODE_INVALID_PAYLOAD, `${type}.${field} must be a finite number`, type);
  }
}
