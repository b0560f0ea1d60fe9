import { describe, expect, it } from 'vitest';
import { JobAssignment, JobOutcome, withDefaults } from '../../protocol/src/index.js';
import { JobRunner, type JobFinished } from '../../client/src/agent/job-runner.js';
import type { OutboundReport } from '../../client/src/agent/outbox.js';
import type { LoadDatasetsSpec, LoadedDatasets } from '../../client/src/engine/data/types.js';
import { datasetSpecOf } from '../../client/src/engine/train/config.js';
import { FakeEngine } from './fake-engine.js';

function assignment(jobId: string, attempt = 1): JobAssignment {
  return withDefaults('sparsefleet.v1.JobAssignment', { jobId, attempt, spec: { model: 'mlp' } });
}

function setup() {
  const engine = new FakeEngine();
  const reports: OutboundReport[] = [];
  const sut = new JobRunner({ engine: () => engine, report: (report) => reports.push(report), backend: () => 'wasm' });
  const finished = new Promise<JobFinished>((resolve) => sut.on('finished', resolve));
  return { sut, engine, reports, finished };
}

describe(JobRunner.name, () => {
  it('should report progress with sequences from 1 and end with a succeeded result', async () => {
    // Prepare
    const { sut, engine, reports, finished } = setup();
    engine.script = { steps: 3 };
    // Execute
    const accepted = sut.accept(assignment('job-1', 4));
    const done = await finished;
    // Assert
    expect(accepted).toEqual({ jobId: 'job-1', attempt: 4, accepted: true, reason: '' });
    expect(done.outcome).toBe('succeeded');
    expect(reports.map((report) => report.type)).toEqual([
      'sparsefleet.v1.ProgressReport',
      'sparsefleet.v1.ProgressReport',
      'sparsefleet.v1.ProgressReport',
      'sparsefleet.v1.JobResult',
    ]);
    expect(reports.map((report) => sequenceOf(report))).toEqual([1, 2, 3, 4]);
    expect(reports.every((report) => report.message.jobId === 'job-1' && report.message.attempt === 4)).toBe(true);
    const result = reports[3].message as { outcome: JobOutcome; testAccuracy: number; backend: string };
    expect(result.outcome).toBe(JobOutcome.JOB_OUTCOME_SUCCEEDED);
    expect(result.testAccuracy).toBeCloseTo(0.42);
    expect(result.backend).toBe('wasm');
    expect(engine.configs[0].backend).toBe('wasm');
    expect(sut.busy).toBe(false);
  });

  it("should train on the platform's data for the job (a browser's shard), asked for with the job's selection", async () => {
    const engine = new FakeEngine();
    const asked: Array<{ jobId: string; spec: LoadDatasetsSpec }> = [];
    const data = { train: { size: 3 }, test: { size: 1 } } as unknown as LoadedDatasets;
    const sut = new JobRunner({
      engine: () => engine,
      report: () => undefined,
      backend: () => 'wasm',
      jobDatasets: async (jobId, spec) => {
        asked.push({ jobId, spec });
        return data;
      },
    });
    const finished = new Promise<JobFinished>((resolve) => sut.on('finished', resolve));
    engine.script = { steps: 1 };
    sut.accept(assignment('job-1'));
    expect((await finished).outcome).toBe('succeeded');
    // The selection of the config the engine made of the spec (what a Node agent would load from files).
    expect(asked).toEqual([{ jobId: 'job-1', spec: datasetSpecOf(engine.configs[0]!) }]);
    expect(engine.runOptions[0]?.datasets).toBe(data);
  });

  it('should refuse a second job while busy but accept a resent assignment of the running one', async () => {
    const { sut, engine, finished } = setup();
    engine.script = { hang: true };
    sut.accept(assignment('job-1'));
    expect(sut.accept(assignment('job-2'))).toMatchObject({ accepted: false, reason: 'busy with job job-1' });
    expect(sut.accept(assignment('job-1'))).toMatchObject({ accepted: true });
    expect(sut.runningJobIds).toEqual(['job-1']);
    sut.cancel({ jobId: 'job-1', reason: 'test over' });
    await finished;
    expect(engine.configs).toHaveLength(1);
  });

  it('should report a FAILED result with the error text when training throws', async () => {
    const { sut, engine, reports, finished } = setup();
    engine.script = { steps: 1, failWith: 'out of memory' };
    sut.accept(assignment('job-1'));
    const done = await finished;
    expect(done).toMatchObject({ outcome: 'failed', error: 'out of memory' });
    const result = reports.at(-1)!.message as { outcome: JobOutcome; error: string; sequence: number };
    expect(result).toMatchObject({ outcome: JobOutcome.JOB_OUTCOME_FAILED, error: 'out of memory', sequence: 2 });
  });

  it('should abort the run on JobCancel and report CANCELLED', async () => {
    const { sut, engine, reports, finished } = setup();
    engine.script = { steps: 1, hang: true };
    sut.accept(assignment('job-1'));
    await new Promise((resolve) => setTimeout(resolve, 20));
    expect(sut.cancel({ jobId: 'other', reason: '' })).toBe(false);
    expect(sut.cancel({ jobId: 'job-1', reason: 'operator cancelled' })).toBe(true);
    const done = await finished;
    expect(done).toMatchObject({ outcome: 'cancelled', error: 'operator cancelled' });
    expect(reports.at(-1)!.message).toMatchObject({ outcome: JobOutcome.JOB_OUTCOME_CANCELLED });
  });

  it('should stop silently when abandoned, leaving the job to the coordinator lease', async () => {
    const { sut, engine, reports } = setup();
    engine.script = { steps: 0, hang: true };
    sut.accept(assignment('job-1'));
    await sut.abandon();
    expect(sut.busy).toBe(false);
    expect(reports.filter((report) => report.type === 'sparsefleet.v1.JobResult')).toEqual([]);
  });

  it('should drop the running attempt without a result when a newer attempt of the same job arrives', async () => {
    // Prepare
    const { sut, engine, reports } = setup();
    engine.script = { steps: 1, hang: true };
    sut.accept(assignment('job-1', 1));
    await new Promise((resolve) => setTimeout(resolve, 20));
    const finishedAttempts: number[] = [];
    sut.on('finished', (job) => finishedAttempts.push(job.attempt));
    // Execute
    expect(sut.accept(assignment('job-1', 2))).toMatchObject({ accepted: true });
    engine.script = { steps: 2 };
    await new Promise<void>((resolve) => sut.on('finished', (job) => job.attempt === 2 && resolve()));
    // Assert
    expect(finishedAttempts).toEqual([1, 2]);
    const results = reports.filter((report) => report.type === 'sparsefleet.v1.JobResult');
    expect(results.map((report) => report.message.attempt)).toEqual([2]);
    const attempt2 = reports.filter((report) => report.message.attempt === 2).map((report) => sequenceOf(report));
    expect(attempt2).toEqual([1, 2, 3]);
  });

  it('should stop a revoked attempt without reporting a result', async () => {
    const { sut, engine, reports, finished } = setup();
    engine.script = { steps: 1, hang: true };
    sut.accept(assignment('job-1', 3));
    await new Promise((resolve) => setTimeout(resolve, 20));
    expect(sut.revoke('job-1', 2, 'stale')).toBe(false);
    expect(sut.revoke('job-1', 3, 'job reassigned')).toBe(true);
    expect(await finished).toMatchObject({ outcome: 'cancelled', error: 'job reassigned' });
    expect(reports.some((report) => report.type === 'sparsefleet.v1.JobResult')).toBe(false);
  });

  it('should refuse an assignment without a spec', () => {
    const { sut } = setup();
    expect(sut.accept(withDefaults('sparsefleet.v1.JobAssignment', { jobId: 'job-1', attempt: 1 }))).toMatchObject({ accepted: false });
    expect(sut.busy).toBe(false);
  });
});

/** Progress and results carry a sequence number; checkpoint pieces do not. */
function sequenceOf(report: OutboundReport): number | undefined {
  return 'sequence' in report.message ? report.message.sequence : undefined;
}
