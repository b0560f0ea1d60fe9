import { describe, expect, it } from 'vitest';
import { runJobsWatch } from '../../cli/src/commands/jobs.js';
import type { Job, JobProgress, JobResult } from '../../cli/src/operator/api-types.js';
import type { OperatorContext } from '../../cli/src/operator/command-kit.js';
import { ApiError, CoordinatorUnreachableError } from '../../cli/src/operator/errors.js';
import { formatWatchSummary, LineWatchView, watchFields } from '../../cli/src/operator/job-watch-view.js';
import { latestProgress, watchJobs, type JobWatchView, type WatchedJob } from '../../cli/src/operator/job-watch.js';
import type { OperatorApi } from '../../cli/src/operator/operator-api.js';
import { BufferedOutput } from '../../cli/src/operator/output.js';

const JOB_A = 'aaaaaaaa-0000-4000-8000-000000000001';
const JOB_B = 'bbbbbbbb-0000-4000-8000-000000000002';

function job(id: string, state: Job['state'], overrides: Partial<Job> = {}): Job {
  return {
    id,
    name: `job-${id.slice(0, 1)}`,
    state,
    attempt: 1,
    deviceId: state === 'queued' ? null : 'dev-1',
    waitingReason: state === 'queued' ? 'no online idle device' : null,
    spec: { model: 'mlp', method: 'dense', epochs: 2 },
    createdAt: '2026-05-01T12:00:00.000Z',
    updatedAt: '2026-05-01T12:00:00.000Z',
    finishedAt: null,
    ...overrides,
  };
}

function progress(sequence: number, epoch: number, step: number): JobProgress {
  return { attempt: 1, sequence, epoch, step, totalSteps: 20, loss: 1 / sequence, trainAccuracy: 0.5, testAccuracy: -1, density: 1 };
}

const RESULT: JobResult = { attempt: 1, outcome: 1, testAccuracy: 0.84, testLoss: 0.4, finalDensity: 1 };

/** A coordinator whose jobs move through a script: poll n sees entry min(n, last) of each job's list. */
function scriptedApi(script: Record<string, { job: Job; reports: JobProgress[] }[]>, failures: Error[] = []) {
  const polls = new Map<string, number>();
  const api = {
    getJob: async (id: string) => {
      const failure = failures.shift();
      if (failure) throw failure;
      const steps = script[id];
      if (!steps) throw new ApiError(404, 'Not Found', `job ${id} does not exist`, [], 'GET', `/api/jobs/${id}`);
      const index = Math.min(polls.get(id) ?? 0, steps.length - 1);
      polls.set(id, index + 1);
      return steps[index]!.job;
    },
    listProgress: async (id: string) => script[id]![Math.min((polls.get(id) ?? 1) - 1, script[id]!.length - 1)]!.reports,
    getResult: async (id: string) => (script[id]!.at(-1)!.job.state === 'succeeded' ? RESULT : undefined),
    getDevice: async (id: string) => ({ id, displayName: 'jetson-1' }),
    listJobs: async () => Object.values(script).map((steps) => steps[0]!.job),
  };
  return { api: api as unknown as OperatorApi, polls };
}

class RecordingView implements JobWatchView {
  readonly updates: string[][] = [];
  stops = 0;

  update(jobs: readonly WatchedJob[]): void {
    this.updates.push(jobs.map((entry) => `${entry.job.state}@${entry.progress?.step ?? '-'}`));
  }

  stop(): void {
    this.stops += 1;
  }
}

describe('watchJobs', () => {
  it('should poll until every job is terminal, then stop the view once', async () => {
    // Prepare
    const { api } = scriptedApi({
      [JOB_A]: [
        { job: job(JOB_A, 'queued'), reports: [] },
        { job: job(JOB_A, 'running'), reports: [progress(1, 0, 5)] },
        { job: job(JOB_A, 'succeeded', { finishedAt: '2026-05-01T12:01:00.000Z' }), reports: [progress(1, 0, 5), progress(2, 1, 18)] },
      ],
      [JOB_B]: [{ job: job(JOB_B, 'failed', { waitingReason: 'attempts exhausted' }), reports: [] }],
    });
    const view = new RecordingView();

    // Execute
    const final = await watchJobs(api, [JOB_A, JOB_B], view, { intervalMs: 1 });

    // Assert
    expect(view.updates).toEqual([
      ['queued@-', 'failed@-'],
      ['running@5', 'failed@-'],
      ['succeeded@18', 'failed@-'],
    ]);
    expect(view.stops).toBe(1);
    expect(final.map((entry) => entry.job.state)).toEqual(['succeeded', 'failed']);
    expect(final[0]!.result).toEqual(RESULT);
    expect(final[0]!.deviceName).toBe('jetson-1');
  });

  it('should ride out a coordinator that is briefly unreachable', async () => {
    const { api } = scriptedApi({ [JOB_A]: [{ job: job(JOB_A, 'succeeded'), reports: [] }] }, [
      new CoordinatorUnreachableError('http://x', 'ECONNREFUSED'),
    ]);
    const view = new RecordingView();

    const final = await watchJobs(api, [JOB_A], view, { intervalMs: 1 });

    expect(final[0]!.job.state).toBe('succeeded');
  });

  it('should give up after too many missed polls and still stop the view', async () => {
    const down = () => new CoordinatorUnreachableError('http://x', 'ECONNREFUSED');
    const { api } = scriptedApi({ [JOB_A]: [{ job: job(JOB_A, 'running'), reports: [] }] }, [down(), down(), down()]);
    const view = new RecordingView();

    await expect(watchJobs(api, [JOB_A], view, { intervalMs: 1, maxMissedPolls: 2 })).rejects.toThrow(CoordinatorUnreachableError);
    expect(view.stops).toBe(1);
  });

  it('should fail at once for a job that does not exist', async () => {
    const { api } = scriptedApi({});

    await expect(watchJobs(api, [JOB_A], new RecordingView(), { intervalMs: 1 })).rejects.toThrow(/404 Not Found/);
  });
});

describe('runJobsWatch', () => {
  function context(api: OperatorApi): { context: OperatorContext; output: BufferedOutput } {
    const output = new BufferedOutput();
    return { context: { api, output }, output };
  }

  it('should exit 0 and print one summary per job when all succeed', async () => {
    const { api } = scriptedApi({ [JOB_A]: [{ job: job(JOB_A, 'succeeded'), reports: [progress(1, 1, 20)] }] });
    const { context: sut, output } = context(api);

    const code = await runJobsWatch(sut, ['aaaa'], { intervalMs: 1, view: new RecordingView() });

    expect(code).toBe(0);
    expect(output.stdout).toBe(`${JOB_A} (job-a): succeeded, test accuracy 0.8400, density 1.0000`);
  });

  it('should exit non-zero when any job failed, and print raw JSON with --json', async () => {
    const { api } = scriptedApi({
      [JOB_A]: [{ job: job(JOB_A, 'succeeded'), reports: [] }],
      [JOB_B]: [{ job: job(JOB_B, 'failed'), reports: [] }],
    });
    const { context: sut, output } = context(api);

    const code = await runJobsWatch(sut, [JOB_A, JOB_B], { intervalMs: 1, json: true });

    expect(code).toBe(1);
    const printed = JSON.parse(output.stdout) as { id: string; state: string; result: unknown }[];
    expect(printed.map((entry) => [entry.id, entry.state])).toEqual([
      [JOB_A, 'succeeded'],
      [JOB_B, 'failed'],
    ]);
    expect(printed[0]!.result).toEqual(RESULT);
  });

  it('should stop when aborted and report the interrupt', async () => {
    const { api } = scriptedApi({ [JOB_A]: [{ job: job(JOB_A, 'running'), reports: [] }] });
    const { context: sut } = context(api);
    const controller = new AbortController();
    const view: JobWatchView = { update: () => controller.abort(), stop: () => {} };

    await expect(runJobsWatch(sut, [JOB_A], { intervalMs: 60_000, view, signal: controller.signal })).resolves.toBe(130);
  });
});

describe(LineWatchView.name, () => {
  it('should print a line only when state or epoch changes', () => {
    const lines: string[] = [];
    const sut = new LineWatchView((line) => lines.push(line));
    const entry = (state: Job['state'], reports: JobProgress[]): WatchedJob => ({
      job: job(JOB_A, state),
      progress: latestProgress(reports),
      deviceName: 'jetson-1',
      result: undefined,
    });

    sut.update([entry('running', [progress(1, 0, 2)])]);
    sut.update([entry('running', [progress(2, 0, 4)])]);
    sut.update([entry('running', [progress(3, 1, 12)])]);

    expect(lines).toEqual([
      'aaaaaaaa job-a  running  device jetson-1  epoch 1/2  step 2/20  loss 1.0000  acc 0.5000',
      'aaaaaaaa job-a  running  device jetson-1  epoch 2/2  step 12/20  loss 0.3333  acc 0.5000',
    ]);
  });
});

describe('watchFields', () => {
  it('should fill a succeeded job to its total and show why a queued job waits', () => {
    const done = watchFields({ job: job(JOB_A, 'succeeded'), progress: progress(4, 1, 18), deviceName: undefined, result: RESULT });
    const queued = watchFields({ job: job(JOB_A, 'queued'), progress: undefined, deviceName: undefined, result: undefined });

    expect([done.step, done.totalSteps, done.accuracy, done.device]).toEqual([20, 20, '0.5000 (test 0.8400)', 'dev-1']);
    expect([queued.note, queued.device, queued.epoch]).toEqual(['waiting: no online idle device', '-', '-']);
  });

  it('should summarise a failed job with its reason', () => {
    const failed: WatchedJob = {
      job: job(JOB_A, 'failed', { waitingReason: 'lease expired 3 times' }),
      progress: undefined,
      deviceName: undefined,
      result: undefined,
    };

    expect(formatWatchSummary(failed)).toBe(`${JOB_A} (job-a): failed (lease expired 3 times)`);
  });
});
