// Persists what devices report about their jobs and reads it back for operators as plain JSON objects.
import { Injectable } from '@nestjs/common';
import { JobResult, ProgressReport } from '../../../generated/proto/sparsefleet/v1/job.js';
import { JobReportRepository, type JobProgressRow, type JobResultRow } from './job-report.repository.js';

export interface ProgressView extends ProgressReport {
  readonly deviceId: string;
  readonly receivedAt: string;
}

export interface ResultView extends JobResult {
  readonly deviceId: string;
  readonly receivedAt: string;
}

export type ResultRecording = 'stored' | 'duplicate' | 'conflict';

@Injectable()
export class JobReportService {
  constructor(private readonly reports: JobReportRepository) {}

  /** Stores a progress report once; false when this (job, attempt, sequence) was already stored. */
  async recordProgress(report: ProgressReport, deviceId: string, now = new Date()): Promise<boolean> {
    return this.reports.insertProgress({
      job_id: report.jobId,
      attempt: report.attempt,
      sequence: report.sequence,
      device_id: deviceId,
      epoch: report.epoch,
      step: report.step,
      loss: report.loss,
      report_json: JSON.stringify(report),
      received_at: now.toISOString(),
    });
  }

  /**
   * Stores the job's one result: 'stored' for the first, 'duplicate' for a resend of it (same attempt and
   * sequence), 'conflict' for any other result of a job that already has one.
   */
  async recordResult(result: JobResult, deviceId: string, now = new Date()): Promise<ResultRecording> {
    const stored = await this.reports.insertFirstResult({
      job_id: result.jobId,
      attempt: result.attempt,
      device_id: deviceId,
      outcome: result.outcome,
      test_accuracy: result.testAccuracy,
      result_json: JSON.stringify(result),
      received_at: now.toISOString(),
    });
    if (stored) return 'stored';
    const existing = await this.latestResult(result.jobId);
    return existing && existing.attempt === result.attempt && existing.sequence === result.sequence ? 'duplicate' : 'conflict';
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
  const report = ProgressReport.fromPartial(JSON.parse(row.report_json) as Partial<ProgressReport>);
  return { ...report, deviceId: row.device_id, receivedAt: row.received_at };
}

function resultView(row: JobResultRow): ResultView {
  const result = JobResult.fromPartial(JSON.parse(row.result_json) as Partial<JobResult>);
  return { ...result, deviceId: row.device_id, receivedAt: row.received_at };
}
