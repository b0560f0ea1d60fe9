// Reports the agent owes the coordinator, delivered in order and kept until acknowledged.
// Each report is created once with its (job, attempt, sequence), so a resend after a reconnect carries the same
// identity and the coordinator can drop the copy; the outbox itself never queues the same report twice.
import type { JobResult, ProgressReport } from '../../../generated/proto/sparsefleet/v1/job.js';

export type OutboundReport =
  | { readonly type: 'sparsefleet.v1.ProgressReport'; readonly message: ProgressReport }
  | { readonly type: 'sparsefleet.v1.JobResult'; readonly message: JobResult };

/** The coordinator answered a report with a protocol error that a resend will not fix (unknown job, conflict…). */
export class ReportRejectedError extends Error {
  constructor(message: string) {
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
}

/** Identity of a report on the wire: what the coordinator dedupes on. */
export function reportKey(report: OutboundReport): string {
  const { jobId, attempt, sequence } = report.message;
  return `${report.type}|${jobId}|${attempt}|${sequence}`;
}

const DELIVERED_MEMORY = 4096;

export class Outbox {
  private readonly queue: OutboundReport[] = [];
  private readonly queuedKeys = new Set<string>();
  private readonly deliveredKeys = new Set<string>();
  private open = false;
  private pumping = false;
  private retryTimer: ReturnType<typeof setTimeout> | undefined;
  private wakeRetry: (() => void) | undefined;
  private emptyWaiters: Array<() => void> = [];
  private readonly options: Required<Omit<OutboxOptions, 'onRejected' | 'onDelivered'>> & OutboxOptions;

  constructor(
    private readonly send: ReportSender,
    options: OutboxOptions = {},
  ) {
    this.options = { retryDelayMs: 500, maxRetryDelayMs: 10_000, maxProgressBacklog: 10_000, ...options };
  }

  get pending(): number {
    return this.queue.length;
  }

  /** Reports not yet acknowledged, oldest first. */
  snapshot(): readonly OutboundReport[] {
    return [...this.queue];
  }

  /** Queues a report; returns false when the same report is already queued or was delivered. */
  enqueue(report: OutboundReport): boolean {
    const key = reportKey(report);
    if (this.queuedKeys.has(key) || this.deliveredKeys.has(key)) return false;
    this.queue.push(report);
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
      const timer = setTimeout(() => {
        this.emptyWaiters = this.emptyWaiters.filter((waiter) => waiter !== done);
        resolve(false);
      }, timeoutMs);
      const done = (): void => {
        clearTimeout(timer);
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
    let progressCount = this.queue.filter((report) => report.type === 'sparsefleet.v1.ProgressReport').length;
    // Never drop the head: it may be in flight right now.
    for (let index = 1; progressCount > this.options.maxProgressBacklog && index < this.queue.length; ) {
      const report = this.queue[index];
      if (report.type === 'sparsefleet.v1.ProgressReport') {
        this.queue.splice(index, 1);
        this.queuedKeys.delete(reportKey(report));
        progressCount -= 1;
      } else {
        index += 1;
      }
    }
  }

  private waitBeforeRetry(delayMs: number): Promise<void> {
    return new Promise((resolve) => {
      this.wakeRetry = resolve;
      this.retryTimer = setTimeout(() => {
        this.retryTimer = undefined;
        this.wakeRetry = undefined;
        resolve();
      }, delayMs);
    });
  }

  private cancelRetryWait(): void {
    if (this.retryTimer) clearTimeout(this.retryTimer);
    this.retryTimer = undefined;
    const wake = this.wakeRetry;
    this.wakeRetry = undefined;
    wake?.();
  }
}
