// Reports the agent owes the coordinator, delivered in order and kept until acknowledged.
// Each report is created once with its identity — (job, attempt, sequence) for progress and results, (job, attempt,
// checkpoint id, offset) for checkpoint pieces — so a resend after a reconnect carries the same identity and the
// coordinator can drop the copy; the outbox itself never queues the same report twice.
//
// Memory stays bounded however long the link is down (the job keeps running and reporting meanwhile):
//   - progress is coalesced: beyond `maxProgressBacklog` waiting progress reports the oldest are dropped, training
//     reports before epoch-end ('evaluating') ones; the coordinator sees a gap in sequence numbers, never a reorder;
//   - results, mask-update, forgetting-statistics and federated-update pieces are never dropped (one result per attempt; a
//     missing mask piece would leave the coordinator unable to follow the deltas after it; statistics are small and
//     a report per epoch at most);
//   - checkpoint pieces are kept, but a newer checkpoint of the same (job, attempt) supersedes an older one whose
//     upload has not started yet and takes its place in the queue (the coordinator keeps the last committed one), so
//     a progress backlog cannot keep every checkpoint waiting until the job ends. An upload that has started is
//     finished first, so a link slower than the checkpoint cadence still commits checkpoints; at most the upload in
//     progress and the newest waiting checkpoint are held.
import { realClock, type Clock, type TimerHandle } from './clock.js';
import type { CheckpointChunk, CheckpointCommit } from '../../../protocol/src/index.js';
import type { ErrorCode, FederatedUpdateChunk, ForgettingStatsChunk, JobResult, MaskUpdateChunk, ProgressReport } from '../../../protocol/src/index.js';

export type OutboundReport =
  | { readonly type: 'sparsefleet.v1.ProgressReport'; readonly message: ProgressReport }
  | { readonly type: 'sparsefleet.v1.JobResult'; readonly message: JobResult }
  | { readonly type: 'sparsefleet.v1.CheckpointChunk'; readonly message: CheckpointChunk }
  | { readonly type: 'sparsefleet.v1.CheckpointCommit'; readonly message: CheckpointCommit }
  | { readonly type: 'sparsefleet.v1.MaskUpdateChunk'; readonly message: MaskUpdateChunk }
  | { readonly type: 'sparsefleet.v1.ForgettingStatsChunk'; readonly message: ForgettingStatsChunk }
  | { readonly type: 'sparsefleet.v1.FederatedUpdateChunk'; readonly message: FederatedUpdateChunk };

export type CheckpointPiece = Extract<OutboundReport, { type: 'sparsefleet.v1.CheckpointChunk' | 'sparsefleet.v1.CheckpointCommit' }>;

export function isCheckpointPiece(report: OutboundReport): report is CheckpointPiece {
  return report.type === 'sparsefleet.v1.CheckpointChunk' || report.type === 'sparsefleet.v1.CheckpointCommit';
}

/** The coordinator answered a report with a protocol error that a resend will not fix (unknown job, conflict…). */
export class ReportRejectedError extends Error {
  constructor(
    message: string,
    /** The protocol error code of the refusal, when the coordinator gave one. */
    readonly code?: ErrorCode,
  ) {
    super(message);
    this.name = 'ReportRejectedError';
  }
}

/** Resolves once the coordinator acknowledged the report; throws ReportRejectedError or a transient error. */
export type ReportSender = (report: OutboundReport) => Promise<void>;

export interface OutboxOptions {
  /** First wait before resending after a transient failure while connected; doubles up to `maxRetryDelayMs`. */
  readonly retryDelayMs?: number;
  readonly maxRetryDelayMs?: number;
  /** When more progress reports wait than this, the oldest progress reports are dropped (results never are). */
  readonly maxProgressBacklog?: number;
  readonly onRejected?: (report: OutboundReport, error: Error) => void;
  readonly onDelivered?: (report: OutboundReport) => void;
  /** Schedules retries and drain timeouts (default the real clock). */
  readonly clock?: Clock;
}

/** Identity of a report on the wire: what the coordinator dedupes on. */
export function reportKey(report: OutboundReport): string {
  switch (report.type) {
    case 'sparsefleet.v1.CheckpointChunk': {
      const { jobId, attempt, checkpointId, offset } = report.message;
      return `${report.type}|${jobId}|${attempt}|${checkpointId}|${offset}`;
    }
    case 'sparsefleet.v1.CheckpointCommit': {
      const { jobId, attempt, checkpointId } = report.message;
      return `${report.type}|${jobId}|${attempt}|${checkpointId}`;
    }
    case 'sparsefleet.v1.MaskUpdateChunk': {
      const { jobId, attempt, updateIndex, chunkIndex } = report.message;
      return `${report.type}|${jobId}|${attempt}|${updateIndex}|${chunkIndex}`;
    }
    case 'sparsefleet.v1.ForgettingStatsChunk': {
      const { jobId, attempt, epoch, chunkIndex } = report.message;
      return `${report.type}|${jobId}|${attempt}|${epoch}|${chunkIndex}`;
    }
    case 'sparsefleet.v1.FederatedUpdateChunk': {
      const { jobId, attempt, round, chunkIndex } = report.message;
      return `${report.type}|${jobId}|${attempt}|${round}|${chunkIndex}`;
    }
    default: {
      const { jobId, attempt, sequence } = report.message;
      return `${report.type}|${jobId}|${attempt}|${sequence}`;
    }
  }
}

export const DEFAULT_MAX_PROGRESS_BACKLOG = 500;

/** The upload a checkpoint piece belongs to. */
function uploadKey(piece: CheckpointPiece): string {
  return `${piece.message.jobId}|${piece.message.attempt}|${piece.message.checkpointId}`;
}

const DELIVERED_MEMORY = 4096;

export class Outbox {
  private readonly queue: OutboundReport[] = [];
  private readonly queuedKeys = new Set<string>();
  private readonly deliveredKeys = new Set<string>();
  /** Checkpoint uploads with at least one piece delivered and no commit yet, by uploadKey. */
  private readonly startedUploads = new Set<string>();
  private open = false;
  private pumping = false;
  private retryTimer: TimerHandle | undefined;
  private wakeRetry: (() => void) | undefined;
  private emptyWaiters: Array<() => void> = [];
  private readonly options: Required<Omit<OutboxOptions, 'onRejected' | 'onDelivered' | 'clock'>> & OutboxOptions;
  private readonly clock: Clock;

  constructor(
    private readonly send: ReportSender,
    options: OutboxOptions = {},
  ) {
    // Field by field: an option passed as undefined (the agent forwards its own unset options) keeps its default.
    this.options = {
      ...options,
      retryDelayMs: options.retryDelayMs ?? 500,
      maxRetryDelayMs: options.maxRetryDelayMs ?? 10_000,
      maxProgressBacklog: options.maxProgressBacklog ?? DEFAULT_MAX_PROGRESS_BACKLOG,
    };
    this.clock = options.clock ?? realClock;
  }

  get pending(): number {
    return this.queue.length;
  }

  /** Reports not yet acknowledged, oldest first. */
  snapshot(): readonly OutboundReport[] {
    return [...this.queue];
  }

  /** Jobs whose result is queued and not yet acknowledged: the device still holds them for the coordinator. */
  jobsAwaitingResult(): string[] {
    return [...new Set(this.queue.filter((report) => report.type === 'sparsefleet.v1.JobResult').map((report) => report.message.jobId))];
  }

  /** Queues a report; returns false when the same report is already queued or was delivered. */
  enqueue(report: OutboundReport): boolean {
    const key = reportKey(report);
    if (this.queuedKeys.has(key) || this.deliveredKeys.has(key)) return false;
    const at = isCheckpointPiece(report) ? this.checkpointPlace(report) : -1;
    if (at >= 0) this.queue.splice(at, 0, report);
    else this.queue.push(report);
    this.queuedKeys.add(key);
    this.trimProgressBacklog();
    this.pump();
    return true;
  }

  /** The link is up: deliver what is waiting. */
  resume(): void {
    this.open = true;
    this.pump();
  }

  /** The link is down: stop sending; what is queued stays queued. */
  pause(): void {
    this.open = false;
    this.cancelRetryWait();
  }

  /** Resolves true once every queued report is acknowledged, false if `timeoutMs` passes first. */
  drained(timeoutMs: number): Promise<boolean> {
    if (this.queue.length === 0) return Promise.resolve(true);
    return new Promise((resolve) => {
      const timer = this.clock.setTimeout(() => {
        this.emptyWaiters = this.emptyWaiters.filter((waiter) => waiter !== done);
        resolve(false);
      }, timeoutMs);
      const done = (): void => {
        this.clock.clearTimeout(timer);
        resolve(true);
      };
      this.emptyWaiters.push(done);
    });
  }

  private pump(): void {
    if (!this.open || this.pumping || this.queue.length === 0) return;
    this.pumping = true;
    void this.deliverAll().finally(() => {
      this.pumping = false;
      // A report may have arrived, or the link reopened, while the last send was settling.
      if (this.open && this.queue.length > 0) this.pump();
    });
  }

  private async deliverAll(): Promise<void> {
    let delay = this.options.retryDelayMs;
    while (this.open && this.queue.length > 0) {
      const head = this.queue[0];
      try {
        await this.send(head);
        this.settleHead(head);
        this.options.onDelivered?.(head);
        delay = this.options.retryDelayMs;
      } catch (error) {
        if (error instanceof ReportRejectedError) {
          this.settleHead(head);
          // The rest of a refused upload cannot commit: drop it.
          if (isCheckpointPiece(head)) this.dropUpload(uploadKey(head));
          this.options.onRejected?.(head, error);
          continue;
        }
        // Transient (timeout, link dropped): keep the report at the head and retry in order.
        if (!this.open) return;
        await this.waitBeforeRetry(delay);
        delay = Math.min(delay * 2, this.options.maxRetryDelayMs);
      }
    }
  }

  private settleHead(head: OutboundReport): void {
    if (this.queue[0] !== head) return;
    if (head.type === 'sparsefleet.v1.CheckpointChunk') this.startedUploads.add(uploadKey(head));
    if (head.type === 'sparsefleet.v1.CheckpointCommit') this.startedUploads.delete(uploadKey(head));
    this.queue.shift();
    const key = reportKey(head);
    this.queuedKeys.delete(key);
    this.rememberDelivered(key);
    if (this.queue.length === 0) {
      const waiters = this.emptyWaiters;
      this.emptyWaiters = [];
      for (const waiter of waiters) waiter();
    }
  }

  private rememberDelivered(key: string): void {
    this.deliveredKeys.add(key);
    if (this.deliveredKeys.size > DELIVERED_MEMORY) {
      const oldest = this.deliveredKeys.values().next().value;
      if (oldest !== undefined) this.deliveredKeys.delete(oldest);
    }
  }

  private trimProgressBacklog(): void {
    const isProgress = (report: OutboundReport) => report.type === 'sparsefleet.v1.ProgressReport';
    let excess = this.queue.filter(isProgress).length - this.options.maxProgressBacklog;
    if (excess <= 0) return;
    // Training reports go first; epoch-end reports (one per epoch, with test accuracy) only when nothing else is left.
    const isTraining = (report: OutboundReport) => report.type === 'sparsefleet.v1.ProgressReport' && report.message.phase === 'training';
    excess -= this.dropWaiting(isTraining, excess);
    this.dropWaiting(isProgress, excess);
  }

  /** A new checkpoint of a (job, attempt) makes its older checkpoints that have not started uploading pointless. */
  /**
   * Where a checkpoint piece goes, or -1 for the tail. A newer checkpoint takes the place of the one it supersedes,
   * and the pieces of one upload stay together: behind a long progress backlog, a checkpoint queued at the tail each
   * time would be superseded again before the queue reached it, and none would commit until the job ended.
   */
  private checkpointPlace(piece: CheckpointPiece): number {
    if (piece.type === 'sparsefleet.v1.CheckpointChunk' && piece.message.offset === 0) return this.dropSupersededCheckpoints(piece);
    const key = uploadKey(piece);
    for (let index = this.queue.length - 1; index >= 1; index--) {
      const queued = this.queue[index];
      if (isCheckpointPiece(queued) && uploadKey(queued) === key) return index + 1;
    }
    return -1;
  }

  /** Drops the waiting pieces `chunk`'s checkpoint supersedes; returns where the first of them stood, or -1. */
  private dropSupersededCheckpoints(chunk: Extract<OutboundReport, { type: 'sparsefleet.v1.CheckpointChunk' }>): number {
    const { jobId, attempt, checkpointId } = chunk.message;
    const head = this.queue[0];
    const inFlight = head !== undefined && isCheckpointPiece(head) ? uploadKey(head) : undefined;
    const superseded = (report: OutboundReport): boolean => {
      if (!isCheckpointPiece(report)) return false;
      const { message } = report;
      if (message.jobId !== jobId || message.attempt !== attempt || message.checkpointId === checkpointId) return false;
      const key = uploadKey(report);
      return key !== inFlight && !this.startedUploads.has(key);
    };
    const first = this.queue.findIndex((report, index) => index >= 1 && superseded(report));
    if (first < 0) return -1;
    this.dropWaiting(superseded, Infinity, first);
    return first;
  }

  /**
   * Drops every waiting report of one job attempt (the coordinator refused the attempt, so the rest would be refused
   * one round trip at a time). Call it from onRejected: nothing is in flight then, so the head may go too.
   */
  dropAttempt(jobId: string, attempt: number): number {
    return this.dropWaiting((report) => report.message.jobId === jobId && report.message.attempt === attempt, Infinity, 0);
  }

  /** Drops every waiting report of one type and job attempt; like dropAttempt, call it from onRejected. */
  dropAttemptReports(type: OutboundReport['type'], jobId: string, attempt: number): number {
    return this.dropWaiting(
      (report) => report.type === type && report.message.jobId === jobId && report.message.attempt === attempt,
      Infinity,
      0,
    );
  }

  /** Called between sends (nothing in flight), so the head may go too. */
  private dropUpload(key: string): void {
    this.startedUploads.delete(key);
    this.dropWaiting((report) => isCheckpointPiece(report) && uploadKey(report) === key, Infinity, 0);
  }

  /**
   * Removes up to `limit` waiting reports matching `predicate`, oldest first; returns how many. Starts after the
   * head by default: it may be in flight right now.
   */
  private dropWaiting(predicate: (report: OutboundReport) => boolean, limit: number, from = 1): number {
    let dropped = 0;
    for (let index = from; dropped < limit && index < this.queue.length; ) {
      const report = this.queue[index];
      if (predicate(report)) {
        this.queue.splice(index, 1);
        this.queuedKeys.delete(reportKey(report));
        dropped += 1;
      } else {
        index += 1;
      }
    }
    return dropped;
  }

  private waitBeforeRetry(delayMs: number): Promise<void> {
    return new Promise((resolve) => {
      this.wakeRetry = resolve;
      this.retryTimer = this.clock.setTimeout(() => {
        this.retryTimer = undefined;
        this.wakeRetry = undefined;
        resolve();
      }, delayMs);
    });
  }

  private cancelRetryWait(): void {
    this.clock.clearTimeout(this.retryTimer);
    this.retryTimer = undefined;
    const wake = this.wakeRetry;
    this.wakeRetry = undefined;
    wake?.();
  }
}
