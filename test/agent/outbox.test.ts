import { describe, expect, it } from 'vitest';
import { JobOutcome, JobResult, ProgressReport, withDefaults } from '../../protocol/src/index.js';
import { DEFAULT_MAX_PROGRESS_BACKLOG, Outbox, ReportRejectedError, reportKey, type OutboundReport } from '../../client/src/agent/outbox.js';

function progress(sequence: number, jobId = 'job-1'): OutboundReport {
  return { type: 'sparsefleet.v1.ProgressReport', message: withDefaults('sparsefleet.v1.ProgressReport', { jobId, attempt: 1, sequence }) };
}

function result(sequence: number, jobId = 'job-1'): OutboundReport {
  return {
    type: 'sparsefleet.v1.JobResult',
    message: withDefaults('sparsefleet.v1.JobResult', { jobId, attempt: 1, sequence, outcome: JobOutcome.JOB_OUTCOME_SUCCEEDED }),
  };
}

/** A scriptable coordinator: records what arrives and answers according to `behaviour`. */
function fakeLink() {
  const received: string[] = [];
  let behaviour: (report: OutboundReport) => Promise<void> = async () => undefined;
  return {
    received,
    setBehaviour(next: (report: OutboundReport) => Promise<void>) {
      behaviour = next;
    },
    send: async (report: OutboundReport) => {
      received.push(reportKey(report));
      await behaviour(report);
    },
  };
}

const FAST = { retryDelayMs: 1, maxRetryDelayMs: 2 };

describe(Outbox.name, () => {
  it('should not send while paused and deliver in order once resumed', async () => {
    // Prepare
    const link = fakeLink();
    const sut = new Outbox(link.send, FAST);
    sut.enqueue(progress(1));
    sut.enqueue(progress(2));
    sut.enqueue(result(3));
    expect(link.received).toEqual([]);
    // Execute
    sut.resume();
    // Assert
    expect(await sut.drained(1000)).toBe(true);
    expect(link.received).toEqual([progress(1), progress(2), result(3)].map(reportKey));
    expect(sut.pending).toBe(0);
  });

  it('should ignore a report that is already queued or already delivered', async () => {
    const link = fakeLink();
    const sut = new Outbox(link.send, FAST);
    expect(sut.enqueue(progress(1))).toBe(true);
    expect(sut.enqueue(progress(1))).toBe(false);
    sut.resume();
    await sut.drained(1000);
    expect(sut.enqueue(progress(1))).toBe(false);
    expect(link.received).toEqual([reportKey(progress(1))]);
  });

  it('should keep an unacknowledged report at the head and resend it, in order, after a reconnect', async () => {
    // Prepare: the link drops while report 2 is in flight.
    const link = fakeLink();
    const sut = new Outbox(link.send, FAST);
    let dropped = false;
    link.setBehaviour(async (report) => {
      if (sequenceOf(report) === 2 && !dropped) {
        dropped = true;
        sut.pause();
        throw new Error('socket has been disconnected');
      }
    });
    for (const sequence of [1, 2, 3]) sut.enqueue(progress(sequence));
    // Execute
    sut.resume();
    await new Promise((resolve) => setTimeout(resolve, 10));
    expect(sut.snapshot().map((report) => sequenceOf(report))).toEqual([2, 3]);
    sut.resume();
    // Assert
    expect(await sut.drained(1000)).toBe(true);
    const sequences = link.received.map((key) => Number(key.split('|')[3]));
    expect(sequences).toEqual([1, 2, 2, 3]);
  });

  it('should retry a timed-out report while connected until it is acknowledged', async () => {
    const link = fakeLink();
    const sut = new Outbox(link.send, FAST);
    let failures = 0;
    link.setBehaviour(async () => {
      if (failures < 3) {
        failures += 1;
        throw new Error('operation has timed out');
      }
    });
    sut.enqueue(result(1));
    sut.resume();
    expect(await sut.drained(1000)).toBe(true);
    expect(link.received).toHaveLength(4);
  });

  it('should drop a report the coordinator rejects and go on with the next', async () => {
    const link = fakeLink();
    const rejected: string[] = [];
    const sut = new Outbox(link.send, { ...FAST, onRejected: (report) => rejected.push(reportKey(report)) });
    link.setBehaviour(async (report) => {
      if (sequenceOf(report) === 1) throw new ReportRejectedError('job is not assigned to this device');
    });
    sut.enqueue(progress(1));
    sut.enqueue(progress(2));
    sut.resume();
    expect(await sut.drained(1000)).toBe(true);
    expect(rejected).toEqual([reportKey(progress(1))]);
    expect(link.received).toEqual([progress(1), progress(2)].map(reportKey));
  });

  it('should drop the waiting reports of an attempt the coordinator refused, and keep other jobs', async () => {
    const link = fakeLink();
    link.setBehaviour(async (report) => {
      if (report.message.jobId === 'job-1') throw new ReportRejectedError('attempt abandoned');
    });
    const sut: Outbox = new Outbox(link.send, {
      ...FAST,
      onRejected: (report) => sut.dropAttempt(report.message.jobId, report.message.attempt),
    });
    sut.enqueue(progress(1));
    sut.enqueue(progress(2));
    sut.enqueue(progress(1, 'job-2'));
    sut.enqueue(result(3));
    sut.resume();
    expect(await sut.drained(1000)).toBe(true);
    expect(link.received).toEqual([progress(1), progress(1, 'job-2')].map(reportKey));
  });

  it('should drop the oldest progress reports, never results, when the backlog overflows', () => {
    const sut = new Outbox(async () => undefined, { ...FAST, maxProgressBacklog: 2 });
    sut.enqueue(progress(1));
    sut.enqueue(progress(2));
    sut.enqueue(result(3, 'job-0'));
    sut.enqueue(progress(4));
    sut.enqueue(progress(5));
    const kept = sut.snapshot().map((report) => `${report.type.split('.').pop()}:${sequenceOf(report)}`);
    expect(kept).toEqual(['ProgressReport:1', 'JobResult:3', 'ProgressReport:5']);
  });

  it('should keep the default backlog bound when an option is passed as undefined (as the agent forwards unset options)', () => {
    const sut = new Outbox(async () => undefined, { ...FAST, maxProgressBacklog: undefined });
    for (let sequence = 1; sequence <= DEFAULT_MAX_PROGRESS_BACKLOG + 20; sequence += 1) sut.enqueue(progress(sequence));
    expect(sut.snapshot().length).toBeLessThanOrEqual(DEFAULT_MAX_PROGRESS_BACKLOG + 1);
  });

  it('should report false from drained when reports stay unacknowledged', async () => {
    const sut = new Outbox(async () => undefined, FAST);
    sut.enqueue(progress(1));
    expect(await sut.drained(5)).toBe(false);
  });
});

/** Progress and results carry a sequence number; checkpoint pieces do not. */
function sequenceOf(report: OutboundReport): number | undefined {
  return 'sequence' in report.message ? report.message.sequence : undefined;
}
