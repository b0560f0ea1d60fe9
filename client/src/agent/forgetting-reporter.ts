// Turns the engine's forgetting statistics of one job attempt into ForgettingStatsChunk reports, as the job's
// ForgettingReporting asks ('epoch': after every completed epoch, 'final': once when the run ends, 'off' or unset:
// nothing). Each report is the job's cumulative statistics; its key on the wire is (job, attempt, epoch, chunk), so
// one epoch is reported at most once per attempt (a second report of the same epoch would be a CONFLICT).
// Once the coordinator refused one of the attempt's reports for good (wrong data set, bad payload, attempt over),
// the reporter is muted: later reports would be refused the same way.
import {
  ForgettingReportCadence,
  forgettingStatsChunks,
  forgettingStatsMessage,
  type DatasetIdentity,
  type ForgettingReporting,
  type ForgettingStatsChunk,
} from '../../../protocol/src/index.js';
import type { ForgettingReport } from '../engine/train/types.js';

export interface ForgettingReporterOptions {
  readonly jobId: string;
  readonly attempt: number;
  readonly reporting: ForgettingReporting | undefined;
  /** Piece size of the encoded statistics (default 512 KiB, at most 1 MiB). */
  readonly chunkBytes?: number;
}

/** The engine's run option for a reporting setting: undefined when the job does not report. */
export function forgettingCadence(reporting: ForgettingReporting | undefined): 'epoch' | 'final' | undefined {
  switch (reporting?.cadence) {
    case ForgettingReportCadence.FORGETTING_REPORT_CADENCE_EPOCH:
      return 'epoch';
    case ForgettingReportCadence.FORGETTING_REPORT_CADENCE_FINAL:
      return 'final';
    default:
      return undefined;
  }
}

export class ForgettingReporter {
  readonly cadence: 'epoch' | 'final' | undefined;
  private readonly reportedEpochs = new Set<number>();
  private muted = false;

  constructor(private readonly options: ForgettingReporterOptions) {
    this.cadence = forgettingCadence(options.reporting);
  }

  get enabled(): boolean {
    return this.cadence !== undefined;
  }

  /** The identity the coordinator registered for the job's data: the run must load exactly that data. */
  get expectedDataset(): DatasetIdentity | undefined {
    const dataset = this.options.reporting?.dataset;
    return this.enabled && dataset !== undefined && dataset.contentHash !== '' ? dataset : undefined;
  }

  /** The coordinator will not take this attempt's statistics: send no more. */
  mute(): void {
    this.muted = true;
  }

  /** The chunks to send for this report, in order (none when the cadence skips it or its epoch went already). */
  onReport(report: ForgettingReport): ForgettingStatsChunk[] {
    if (!this.enabled || this.muted) return [];
    if (this.cadence === 'final' && !report.final) return [];
    if (this.reportedEpochs.has(report.epoch)) return [];
    this.reportedEpochs.add(report.epoch);
    const message = forgettingStatsMessage(report);
    return forgettingStatsChunks({ jobId: this.options.jobId, attempt: this.options.attempt }, message, this.options.chunkBytes);
  }
}
