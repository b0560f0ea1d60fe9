// The verdict can fail: each invariant, fed a run with one injected bug (a dropped result, a duplicate, a lease
// expired on a live device, an over-memory assignment, an unfinished job), reports it; the clean run passes.
import { describe, expect, it } from 'vitest';
import { checkInvariants, type InvariantName, type RunObservations, type StoredJob } from '../../../client/src/sim/scenario/invariants.js';
import { buildVerdict, formatVerdict } from '../../../client/src/sim/scenario/verdict.js';

const MiB = 1_048_576;

function job(id: string, overrides: Partial<StoredJob> = {}): StoredJob {
  return {
    id,
    name: `job-${id}`,
    state: 'succeeded',
    attempt: 1,
    waitingReason: null,
    memoryBytes: 64 * MiB,
    results: [{ attempt: 1, sequence: 3, deviceId: 'dev-a', outcome: 'succeeded', error: '' }],
    progress: [
      { attempt: 1, sequence: 1 },
      { attempt: 1, sequence: 2 },
    ],
    ...overrides,
  };
}

/** Two devices, two jobs, every report acknowledged and stored, device a live throughout. */
function cleanRun(): RunObservations {
  return {
    jobs: [job('j1'), job('j2', { results: [{ attempt: 1, sequence: 3, deviceId: 'dev-b', outcome: 'succeeded', error: '' }] })],
    acknowledged: [
      { deviceIndex: 0, jobId: 'j1', attempt: 1, kind: 'progress', sequence: 1 },
      { deviceIndex: 0, jobId: 'j1', attempt: 1, kind: 'progress', sequence: 2 },
      { deviceIndex: 0, jobId: 'j1', attempt: 1, kind: 'result', sequence: 3 },
      { deviceIndex: 1, jobId: 'j2', attempt: 1, kind: 'result', sequence: 3 },
    ],
    assignments: [
      { deviceIndex: 0, deviceId: 'dev-a', jobId: 'j1', attempt: 1, wallMs: 100 },
      { deviceIndex: 1, deviceId: 'dev-b', jobId: 'j2', attempt: 1, wallMs: 120 },
    ],
    leaseExpiries: [],
    devices: [
      { index: 0, deviceId: 'dev-a', profile: 'laptop', memoryCapBytes: 4096 * MiB, liveSpans: [{ fromWallMs: 0, toWallMs: 10_000 }] },
      { index: 1, deviceId: 'dev-b', profile: 'raspberry-pi-4', memoryCapBytes: 512 * MiB, liveSpans: [{ fromWallMs: 0, toWallMs: 2_000 }, { fromWallMs: 5_000, toWallMs: 10_000 }] },
    ],
    leaseMs: 1_500,
  };
}

function violated(run: RunObservations): Partial<Record<InvariantName, string[]>> {
  const found: Partial<Record<InvariantName, string[]>> = {};
  for (const outcome of checkInvariants(run)) if (outcome.violations.length > 0) found[outcome.name] = outcome.violations.map((violation) => violation.message);
  return found;
}

describe('simulated-run invariants', () => {
  it('pass on a clean run', () => {
    const outcomes = checkInvariants(cleanRun());
    expect(outcomes.map((outcome) => outcome.violations.length)).toEqual([0, 0, 0, 0, 0]);
    expect(outcomes.find((outcome) => outcome.name === 'no-acked-report-lost')!.checked).toBe(4);
  });

  it('report a dropped result: acknowledged to the device, absent from the store', () => {
    const run = cleanRun();
    const dropped = { ...run, jobs: [run.jobs[0]!, job('j2', { state: 'running', results: [] })] };
    const found = violated(dropped);
    expect(found['no-acked-report-lost']).toEqual([expect.stringContaining('acknowledged result j2 attempt 1 #3 (device 1)')]);
    expect(found['job-finished-once']).toEqual([expect.stringContaining('did not finish: still running')]);
  });

  it('report a dropped progress report', () => {
    const run = cleanRun();
    const dropped = { ...run, jobs: [job('j1', { progress: [{ attempt: 1, sequence: 1 }] }), run.jobs[1]!] };
    expect(violated(dropped)['no-acked-report-lost']).toEqual([expect.stringContaining('progress j1 attempt 1 #2')]);
  });

  it('report duplicates: a progress key stored twice, a job finished on two devices, an attempt assigned twice', () => {
    const run = cleanRun();
    const storedTwice = { ...run, jobs: [job('j1', { progress: [{ attempt: 1, sequence: 1 }, { attempt: 1, sequence: 1 }] }), run.jobs[1]!] };
    expect(violated(storedTwice)['no-duplicate']).toEqual([expect.stringContaining('progress attempt 1 #1 stored twice')]);

    const finishedTwice = { ...run, acknowledged: [...run.acknowledged, { deviceIndex: 1, jobId: 'j1', attempt: 2, kind: 'result' as const, sequence: 1 }] };
    const twice = violated(finishedTwice);
    expect(twice['no-duplicate']).toEqual([expect.stringContaining('job j1 finished more than once')]);
    expect(twice['no-acked-report-lost']).toHaveLength(1); // the second result was acknowledged but could not be kept

    const assignedTwice = { ...run, assignments: [...run.assignments, { deviceIndex: 1, deviceId: 'dev-b', jobId: 'j1', attempt: 1, wallMs: 150 }] };
    expect(violated(assignedTwice)['no-duplicate']).toEqual([expect.stringContaining('job j1 attempt 1 was assigned to 2 devices')]);
  });

  it('report a lease that expired while its device was live, not one that expired while it was away', () => {
    const run = cleanRun();
    const onLive = { ...run, leaseExpiries: [{ jobId: 'j1', attempt: 1, deviceId: 'dev-a', wallMs: 6_000 }] };
    expect(violated(onLive)['no-lease-expired-for-live-device']).toEqual([expect.stringContaining('device 0 (dev-a) was live for the whole lease')]);

    // dev-b was away from 2 s to 5 s: an expiry at 5.5 s (lease window from 4 s) is what a lease is for.
    const whileAway = { ...run, leaseExpiries: [{ jobId: 'j2', attempt: 1, deviceId: 'dev-b', wallMs: 5_500 }] };
    expect(violated(whileAway)['no-lease-expired-for-live-device']).toBeUndefined();
    // Back for longer than a lease: the expiry is a violation again.
    const afterReturn = { ...run, leaseExpiries: [{ jobId: 'j2', attempt: 1, deviceId: 'dev-b', wallMs: 7_000 }] };
    expect(violated(afterReturn)['no-lease-expired-for-live-device']).toHaveLength(1);
  });

  it("report an assignment beyond the device's memory cap", () => {
    const run = cleanRun();
    const tooBig = { ...run, jobs: [run.jobs[0]!, job('j2', { memoryBytes: 900 * MiB, results: run.jobs[1]!.results })] };
    expect(violated(tooBig)['memory-cap']).toEqual([expect.stringContaining('needs 900.0 MiB) was assigned to device 1 (raspberry-pi-4, cap 512.0 MiB)')]);
  });

  it('accept a failed job with a stated reason, refuse one without', () => {
    const run = cleanRun();
    const failedWithReason = { ...run, jobs: [run.jobs[0]!, job('j2', { state: 'failed', waitingReason: 'out of attempts: lease expired 3 times', results: [] })], acknowledged: run.acknowledged.slice(0, 3) };
    expect(violated(failedWithReason)).toEqual({});
    const failedSilently = { ...failedWithReason, jobs: [run.jobs[0]!, job('j2', { state: 'failed', waitingReason: null, results: [] })] };
    expect(violated(failedSilently)['job-finished-once']).toEqual([expect.stringContaining('failed without a stated reason')]);
  });

  it('turn violations into a failing verdict', () => {
    const run = cleanRun();
    const dropped = { ...run, jobs: [run.jobs[0]!, job('j2', { state: 'running', results: [] })] };
    const figures = {
      devices: 2, realEngines: 0, jobs: 2, succeeded: 1, failed: 0, unfinished: 1, wallMs: 1000, simMs: 30_000, events: 10,
      eventsPerSecond: 10, acknowledgedReports: 4, leaseExpiries: 0, coordinatorPeakRssBytes: 0, coordinatorRestarts: 0, faults: {},
    };
    const base = { scenario: 'unit', source: 'unit.yaml', seed: 1, timeScale: 30, time: 'wall' as const, startedAt: '2026-01-01T00:00:00.000Z', figures };
    expect(buildVerdict({ ...base, invariants: checkInvariants(run) }).passed).toBe(true);
    const failing = buildVerdict({ ...base, invariants: checkInvariants(dropped) });
    expect(failing.passed).toBe(false);
    expect(formatVerdict(failing)).toMatch(/verdict: FAIL \(2 violation\(s\)\)/);
  });
});
