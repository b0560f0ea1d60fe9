// Persists what devices report about their jobs and reads it back for operators as plain JSON objects.
import { Inject, Injectable, Optional } from '@nestjs/common';
import { CLOCK, clockDate, realClock, type Clock } from '../common/clock.js';
import { DomainEventBus } from '../events/event-bus.js';
import { JobResult, ProgressReport, withDefaults } from '../../../protocol/src/index.js';
import { JobReportRepository, type JobProgressRow, type JobResultRow } from './job-report.repository.js';

export interface ProgressView extends ProgressReport {
  readonly deviceId: string;
  readonly receivedAt: string;
}

export interface ResultView extends JobResult {
  readonly deviceId: string;
  readonly receivedAt: string;
}

/**
 * What became of a report: 'stored' (new), 'duplicate' (a resend: same key, same content, already stored),
 * 'conflict' (same key, other content: the first record is kept), 'attempt-ended' (new, but its attempt has ended,
 * so it was not stored).
 */
export type ReportRecording = 'stored' | 'duplicate' | 'conflict' | 'attempt-ended';

@Injectable()
export class JobReportService {
  constructor(
    private readonly reports: JobReportRepository,
    private readonly events: DomainEventBus,
    @Optional() @Inject(CLOCK) private readonly clock: Clock = realClock,
  ) {}

  /**
   * Stores a progress report once per (job, attempt, sequence). `attemptEnded`: the attempt is over, so a report
   * not stored before is refused rather than stored.
   */
  async recordProgress(report: ProgressReport, deviceId: string, attemptEnded: boolean, now = clockDate(this.clock)): Promise<ReportRecording> {
    const content = JSON.stringify(report);
    const sameAsStored = async (): Promise<ReportRecording | undefined> => {
      const existing = await this.reports.findProgress(report.jobId, report.attempt, report.sequence);
      if (existing) return existing.report_json === content ? 'duplicate' : 'conflict';
      return undefined;
    };
    if (attemptEnded) return (await sameAsStored()) ?? 'attempt-ended';
    // The common case is a new report: insert first, and read the stored one only when the key was taken.
    const stored = await this.reports.insertProgress({
      job_id: report.jobId,
      attempt: report.attempt,
      sequence: report.sequence,
      device_id: deviceId,
      epoch: report.epoch,
      step: report.step,
      loss: report.loss,
      report_json: content,
      received_at: now.toISOString(),
    });
    if (!stored) return (await sameAsStored()) ?? 'conflict';
    this.events.publish({ type: 'ReportApplied', jobId: report.jobId, attempt: report.attempt, kind: 'progress' });
    return 'stored';
  }


  /**
   * Stores the job's one result. A resend of the stored result (same content) is a 'duplicate'; any other result
   * for a job that has one is a 'conflict'; a first result for an attempt that has ended is 'attempt-ended'.
   */
  async recordResult(result: JobResult, deviceId: string, attemptEnded: boolean, now = clockDate(this.clock)): Promise<ReportRecording> {
    const content = JSON.stringify(result);
    const sameAs = (row: JobResultRow | undefined): ReportRecording => (row?.result_json === content ? 'duplicate' : 'conflict');
    const existing = await this.reports.findLatestResult(result.jobId);
    if (existing) return sameAs(existing);
    if (attemptEnded) return 'attempt-ended';
    const stored = await this.reports.insertFirstResult({
      job_id: result.jobId,
      attempt: result.attempt,
      device_id: deviceId,
      outcome: result.outcome,
      test_accuracy: result.testAccuracy,
      result_json: content,
      received_at: now.toISOString(),
    });
    if (!stored) return sameAs(await this.reports.findLatestResult(result.jobId));
    this.events.publish({ type: 'ReportApplied', jobId: result.jobId, attempt: result.attempt, kind: 'result' });
    return 'stored';
  }

  async listProgress(jobId: string): Promise<ProgressView[]> {
    return (await this.reports.listProgress(jobId)).map(progressView);
  }

  async latestResult(jobId: string): Promise<ResultView | undefined> {
    const row = await this.reports.findLatestResult(jobId);
    return row ? resultView(row) : undefined;
  }
}

function progressView(row: JobProgressRow): ProgressView {
  const report = withDefaults('sparsefleet.v1.ProgressReport', JSON.parse(row.report_json) as Partial<ProgressReport>);
  return { ...report, deviceId: row.device_id, receivedAt: row.received_at };
}

function resultView(row: JobResultRow): ResultView {
  const result = withDefaults('sparsefleet.v1.JobResult', JSON.parse(row.result_json) as Partial<JobResult>);
  return { ...result, deviceId: row.device_id, receivedAt: row.received_at };
}
