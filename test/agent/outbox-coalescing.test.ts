import { describe, expect, it } from 'vitest';
import { ProgressReport, withDefaults } from '../../protocol/src/index.js';
import { JobOutcome, JobResult } from '../../protocol/src/index.js';
import { Outbox, ReportRejectedError, reportKey, type OutboundReport } from '../../client/src/agent/outbox.js';

function progress(sequence: number, phase = 'training'): OutboundReport {
  return { type: 'sparsefleet.v1.ProgressReport', message: withDefaults('sparsefleet.v1.ProgressReport', { jobId: 'job-1', attempt: 1, sequence, phase }) };
}

function chunk(checkpointId: string, offset: number, attempt = 1): OutboundReport {
  return {
    type: 'sparsefleet.v1.CheckpointChunk',
    message: { jobId: 'job-1', attempt, checkpointId, offset, totalBytes: 20, data: new Uint8Array(10) },
  };
}

function commit(checkpointId: string, attempt = 1): OutboundReport {
  return { type: 'sparsefleet.v1.CheckpointCommit', message: { jobId: 'job-1', attempt, checkpointId, totalBytes: 20, step: 5, epoch: 0 } };
}

const label = (report: OutboundReport) => reportKey(report).split('|').slice(0, 1).concat(reportKey(report).split('|').slice(3)).join(':').replace('sparsefleet.v1.', '');

describe('Outbox while offline', () => {
  it('should keep only the newest checkpoint waiting and drop the pieces of older ones', () => {
    // Prepare: offline; checkpoint A queued, then B for the same attempt, and C for another attempt
    const sut = new Outbox(async () => undefined);
    sut.enqueue(progress(1));
    for (const report of [chunk('A', 0), chunk('A', 10), commit('A')]) sut.enqueue(report);
    sut.enqueue(progress(2));
    for (const report of [chunk('C', 0, 2), commit('C', 2)]) sut.enqueue(report);

    // Execute
    for (const report of [chunk('B', 0), chunk('B', 10), commit('B')]) sut.enqueue(report);

    // Assert
    // B takes A's place in the queue, its pieces together
    expect(sut.snapshot().map(label)).toEqual([
      'ProgressReport:1',
      'CheckpointChunk:B:0',
      'CheckpointChunk:B:10',
      'CheckpointCommit:B',
      'ProgressReport:2',
      'CheckpointChunk:C:0',
      'CheckpointCommit:C',
    ]);
  });

  it('should commit checkpoints while the outbox stays behind a progress backlog', async () => {
    // Prepare: every delivery lets the job queue three more progress reports, and a new checkpoint every 4th one;
    // the outbox sends one report per delivery, so it stays behind at its progress backlog's bound
    const sent: string[] = [];
    let sequence = 0;
    let deliveries = 0;
    const queueMore = (): void => {
      for (let i = 0; i < 3; i++) sut.enqueue(progress(++sequence));
      if (deliveries % 4 === 0) for (const report of [chunk(`ck${deliveries}`, 0), chunk(`ck${deliveries}`, 10), commit(`ck${deliveries}`)]) sut.enqueue(report);
    };
    const sut = new Outbox(
      async (report) => {
        sent.push(label(report));
        deliveries += 1;
        if (deliveries < 400) queueMore();
      },
      { maxProgressBacklog: 20 },
    );
    queueMore();

    // Execute
    sut.resume();
    expect(await sut.drained(5000)).toBe(true);

    // Assert: checkpoints committed all along, not only the last one once the job stopped queueing
    const commits = sent.flatMap((entry, index) => (entry.startsWith('CheckpointCommit') ? [index] : []));
    expect(commits.length).toBeGreaterThan(10);
    expect(commits[0]).toBeLessThan(50);
  });

  it('should finish an upload that has started before a newer checkpoint, dropping only checkpoints not yet started', async () => {
    // Prepare: the first piece of A goes out, then the link drops
    const sent: string[] = [];
    const sut = new Outbox(async (report) => void sent.push(label(report)));
    sut.resume();
    sut.enqueue(chunk('A', 0));
    expect(await sut.drained(1000)).toBe(true);
    sut.pause();
    sut.enqueue(chunk('A', 10));
    sut.enqueue(commit('A'));

    // Execute: B arrives while A is half uploaded, then C before anything else went out
    for (const report of [chunk('B', 0), chunk('B', 10), commit('B')]) sut.enqueue(report);
    for (const report of [chunk('C', 0), chunk('C', 10), commit('C')]) sut.enqueue(report);
    sut.resume();
    await sut.drained(1000);

    // Assert
    expect(sent).toEqual(['CheckpointChunk:A:0', 'CheckpointChunk:A:10', 'CheckpointCommit:A', 'CheckpointChunk:C:0', 'CheckpointChunk:C:10', 'CheckpointCommit:C']);
  });

  it('should not drop a piece that is at the head (it may be in flight)', () => {
    // Prepare
    const sut = new Outbox(async () => undefined);
    sut.enqueue(chunk('A', 0));
    sut.enqueue(chunk('A', 10));

    // Execute
    sut.enqueue(chunk('B', 0));

    // Assert: A's upload is in flight, so it is finished before B
    expect(sut.snapshot().map(label)).toEqual(['CheckpointChunk:A:0', 'CheckpointChunk:A:10', 'CheckpointChunk:B:0']);
  });

  it('should drop the rest of an upload the coordinator refuses', async () => {
    // Prepare
    const sent: string[] = [];
    const sut = new Outbox(async (report) => {
      sent.push(label(report));
      if (report.type === 'sparsefleet.v1.CheckpointChunk' && report.message.offset === 0) throw new ReportRejectedError('checkpoint too large');
    });
    for (const report of [chunk('A', 0), chunk('A', 10), commit('A'), progress(1)]) sut.enqueue(report);

    // Execute
    sut.resume();
    await sut.drained(1000);

    // Assert
    expect(sent).toEqual(['CheckpointChunk:A:0', 'ProgressReport:1']);
  });

  it('should coalesce progress by dropping the oldest training reports first and never results', () => {
    // Prepare
    const sut = new Outbox(async () => undefined, { maxProgressBacklog: 3 });
    const result: OutboundReport = {
      type: 'sparsefleet.v1.JobResult',
      message: withDefaults('sparsefleet.v1.JobResult', { jobId: 'job-1', attempt: 1, sequence: 9, outcome: JobOutcome.JOB_OUTCOME_SUCCEEDED }),
    };

    // Execute: 8 progress reports, one of them an epoch end, then the result
    for (let sequence = 1; sequence <= 8; sequence++) sut.enqueue(progress(sequence, sequence === 4 ? 'evaluating' : 'training'));
    sut.enqueue(result);

    // Assert: the head (1) stays, the epoch-end report (4) survives, the newest training report (8) is kept
    expect(sut.snapshot().map(label)).toEqual(['ProgressReport:1', 'ProgressReport:4', 'ProgressReport:8', 'JobResult:9']);
  });

  it('should hold a bounded number of reports however long the outage lasts', () => {
    // Prepare
    const sut = new Outbox(async () => undefined, { maxProgressBacklog: 50 });

    // Execute: a long outage with a checkpoint every 10 reports
    for (let sequence = 1; sequence <= 5000; sequence++) {
      sut.enqueue(progress(sequence));
      if (sequence % 10 === 0) for (const report of [chunk(`ck${sequence}`, 0), chunk(`ck${sequence}`, 10), commit(`ck${sequence}`)]) sut.enqueue(report);
    }

    // Assert
    expect(sut.pending).toBeLessThanOrEqual(50 + 3 + 1);
    expect(sut.snapshot().filter((r) => r.type === 'sparsefleet.v1.CheckpointCommit').map(label)).toEqual(['CheckpointCommit:ck5000']);
  });
});
