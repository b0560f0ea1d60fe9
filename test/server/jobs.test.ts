// Job queue, state machine, assignment and report handlers against a real throwaway database, no sockets.
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { ErrorCode, withDefaults } from '../../protocol/src/index.js';
import { JobOutcome, JobResult, TrainingJobSpec, type JobAccepted, type JobAssignment, type JobCancel } from '../../protocol/src/index.js';
import { ProtocolFault } from '../../protocol/src/index.js';
import { DeviceService } from '../../server/src/devices/device.service.js';
import { EnrollmentTokenService } from '../../server/src/devices/enrollment-token.service.js';
import { AssignmentService } from '../../server/src/assignment/assignment.service.js';
import { DeviceChannel, type JobPusher } from '../../server/src/jobs/device-channel.js';
import { JobReportService } from '../../server/src/jobs/job-report.service.js';
import { canTransition, isTerminal, sourcesOf, stateForOutcome } from '../../server/src/jobs/job-state.js';
import { InvalidInputError } from '../../server/src/common/validation.js';
import { validateJobSubmission } from '../../server/src/jobs/job-submission.js';
import { JobHandlers } from '../../server/src/jobs/job.handlers.js';
import { FleetSweeper } from '../../server/src/jobs/fleet-sweeper.service.js';
import { JobLeaseService } from '../../server/src/jobs/job-lease.service.js';
import { NO_ONLINE_DEVICE } from '../../server/src/jobs/job-selector.js';
import { JobService } from '../../server/src/jobs/job.service.js';
import { TEST_FACTS } from './support/coordinator-harness.js';
import { createServiceHarness, type ServiceHarness } from './support/service-harness.js';

const SPEC = withDefaults('sparsefleet.v1.TrainingJobSpec', { model: 'mlp', method: 'dense', density: 1, epochs: 1, maxSteps: 2 });

/** Records pushes and answers each with the configured decision. */
class FakePusher implements JobPusher {
  readonly pushed: Array<{ deviceId: string; assignment: JobAssignment }> = [];
  readonly disconnected = new Set<string>();
  readonly cancelled: Array<{ deviceId: string; cancel: JobCancel }> = [];
  /** Per device: when each frame it sent that is still being handled arrived. */
  readonly framesInHand = new Map<string, number[]>();
  decide: (deviceId: string) => JobAccepted | Error = () => ({ jobId: '', attempt: 0, accepted: true, reason: '' });

  handlesFrameReceivedBy(deviceId: string, at: number): boolean {
    return (this.framesInHand.get(deviceId) ?? []).some((receivedAt) => receivedAt <= at);
  }

  isReachable(deviceId: string): boolean {
    return this.isConnected(deviceId);
  }

  isConnected(deviceId: string): boolean {
    return !this.disconnected.has(deviceId);
  }

  async push(deviceId: string, assignment: JobAssignment): Promise<JobAccepted> {
    this.pushed.push({ deviceId, assignment });
    const decision = this.decide(deviceId);
    if (decision instanceof Error) throw decision;
    return { ...decision, jobId: assignment.jobId, attempt: assignment.attempt };
  }

  async cancel(deviceId: string, cancel: JobCancel): Promise<void> {
    this.cancelled.push({ deviceId, cancel });
  }
}

function result(jobId: string, attempt: number, outcome = JobOutcome.JOB_OUTCOME_SUCCEEDED): JobResult {
  return withDefaults('sparsefleet.v1.JobResult', { jobId, attempt, outcome, testAccuracy: 0.5 });
}

describe('job state machine', () => {
  it('should allow only forward transitions and none out of a terminal state', () => {
    expect(canTransition('queued', 'assigned')).toBe(true);
    expect(canTransition('running', 'queued')).toBe(true);
    expect(canTransition('queued', 'running')).toBe(false);
    expect(canTransition('succeeded', 'queued')).toBe(false);
    expect(sourcesOf('running')).toEqual(['assigned']);
    expect(isTerminal('failed')).toBe(true);
    expect(stateForOutcome(JobOutcome.JOB_OUTCOME_CANCELLED)).toBe('cancelled');
    expect(stateForOutcome(JobOutcome.JOB_OUTCOME_UNSPECIFIED)).toBeUndefined();
  });
});

describe('validateJobSubmission', () => {
  it('should convert a valid TrainConfig to the wire spec', () => {
    const { name, spec } = validateJobSubmission({ name: ' demo ', config: { model: 'mlp', epochs: 2, seed: 7 } });
    expect(name).toBe('demo');
    expect(spec).toMatchObject({ model: 'mlp', epochs: 2, seed: 7, method: 'dense', density: 1 });
  });

  it('should name the bad field of an invalid config', () => {
    expect(() => validateJobSubmission({ config: { epochs: 0 } })).toThrow(InvalidInputError);
    expect(() => validateJobSubmission({ config: { epochs: 0 } })).toThrow(/config\.epochs/);
    expect(() => validateJobSubmission({})).toThrow(/config/);
  });
});

describe(AssignmentService.name, () => {
  let harness: ServiceHarness;
  let sut: AssignmentService;
  let jobs: JobService;
  let devices: DeviceService;
  let pusher: FakePusher;

  beforeEach(async () => {
    harness = await createServiceHarness({ maxJobAttempts: 3 });
    sut = harness.get(AssignmentService);
    jobs = harness.get(JobService);
    devices = harness.get(DeviceService);
    pusher = new FakePusher();
    harness.get(DeviceChannel).attach(pusher);
  });

  afterEach(async () => {
    await sut.stop();
    await harness.close();
  });

  async function enroll(): Promise<string> {
    const tokens = harness.get(EnrollmentTokenService);
    const { token } = await tokens.create();
    const { deviceId } = await devices.enroll({ tokenId: await tokens.check(token), facts: TEST_FACTS, displayName: 'box' });
    await devices.hello(deviceId, TEST_FACTS);
    return deviceId;
  }

  async function runToQuiet(): Promise<void> {
    await sut.run();
    await sut.settle();
  }

  it('should leave a job queued with a reason while no device is idle', async () => {
    const job = await jobs.submit(SPEC, 'lonely');
    await runToQuiet();
    expect(await jobs.get(job.id)).toMatchObject({ state: 'queued', waitingReason: NO_ONLINE_DEVICE });
    expect(pusher.pushed).toHaveLength(0);
  });

  it('should give the oldest job to an idle device, one job per device', async () => {
    // Prepare
    const first = await jobs.submit(SPEC, 'first');
    const second = await jobs.submit(SPEC, 'second');
    const deviceId = await enroll();

    // Execute
    await runToQuiet();

    // Assert
    expect(pusher.pushed.map((p) => p.assignment.jobId)).toEqual([first.id]);
    expect(pusher.pushed[0]).toMatchObject({ deviceId, assignment: { attempt: 1, spec: { model: 'mlp' } } });
    expect(await jobs.get(first.id)).toMatchObject({ state: 'assigned', deviceId, waitingReason: null });
    expect(await jobs.get(second.id)).toMatchObject({ state: 'queued', waitingReason: '1 matching device busy' });
    expect((await devices.get(deviceId))?.state).toBe('busy');
  });

  it('should not offer work to a device this process has no connection to', async () => {
    const job = await jobs.submit(SPEC);
    const deviceId = await enroll();
    pusher.disconnected.add(deviceId);
    await runToQuiet();
    expect(pusher.pushed).toHaveLength(0);
    expect(await jobs.get(job.id)).toMatchObject({ state: 'queued', attempt: 1, waitingReason: NO_ONLINE_DEVICE });
  });

  it('should requeue a refused job on the same attempt (a refusal is not a try) and not offer it to the refusing device again', async () => {
    // Prepare: one attempt only, so a refusal that used it up would fail the job.
    const job = await jobs.submit(SPEC, 'picky', { maxAttempts: 1 });
    const refusing = await enroll();
    pusher.decide = () => ({ jobId: '', attempt: 0, accepted: false, reason: 'no wasm' });

    // Execute
    await runToQuiet();
    const afterRefusal = await jobs.get(job.id);
    const willing = await enroll();
    pusher.decide = () => ({ jobId: '', attempt: 0, accepted: true, reason: '' });
    await runToQuiet();

    // Assert
    expect(afterRefusal).toMatchObject({ state: 'queued', attempt: 1 });
    expect(afterRefusal?.waitingReason).toContain('no wasm');
    expect(pusher.pushed.map((p) => p.deviceId)).toEqual([refusing, willing]);
    expect(await jobs.get(job.id)).toMatchObject({ state: 'assigned', attempt: 1, deviceId: willing });
    expect((await devices.get(refusing))?.state).toBe('online');
  });

  it('should fail a job that could not be delivered within its attempts', async () => {
    const job = await jobs.submit(SPEC);
    await enroll();
    pusher.decide = () => new Error('no JobAccepted within 10 ms');
    for (let i = 0; i < 5; i++) await runToQuiet();
    const failed = await jobs.get(job.id);
    expect(failed?.state).toBe('failed');
    expect(failed?.waitingReason).toContain('gave up after 3 attempts');
    expect(pusher.pushed).toHaveLength(3);
  });

  it('should release a device\'s jobs at once and prefer another device for the retry', async () => {
    // Prepare
    const job = await jobs.submit(SPEC);
    const first = await enroll();
    await runToQuiet();
    const second = await enroll();

    // Execute
    const released = await harness.get(JobLeaseService).releaseDevice(first, 'revoked');
    await runToQuiet();

    // Assert
    expect(released).toBe(1);
    expect(await jobs.get(job.id)).toMatchObject({ state: 'assigned', attempt: 2, deviceId: second, previousDeviceId: first });
  });

  it('should keep a job through a disconnect and requeue it only when its lease expires', async () => {
    // Prepare: the device went offline without finishing (e.g. its deadline was swept on a read).
    const job = await jobs.submit(SPEC);
    const deviceId = await enroll();
    await runToQuiet();
    await devices.markOffline(deviceId, new Date());
    await runToQuiet();
    const stillHeld = await jobs.get(job.id);
    const leases = harness.get(JobLeaseService);

    // Execute
    const early = await leases.expireDue(new Date(Date.now() + harness.config.leaseMs / 2));
    const late = await leases.expireDue(new Date(Date.now() + harness.config.leaseMs + 1));
    await runToQuiet();

    // Assert: requeued, and the assignment pass its JobQueued event ran found no device to offer it to.
    expect(stillHeld).toMatchObject({ state: 'assigned', attempt: 1, deviceId });
    expect(early).toBe(0);
    expect(late).toBe(1);
    expect(await jobs.get(job.id)).toMatchObject({ state: 'queued', attempt: 2, deviceId: null, previousDeviceId: deviceId, waitingReason: NO_ONLINE_DEVICE });
    expect(pusher.cancelled).toEqual([{ deviceId, cancel: { jobId: job.id, reason: expect.stringContaining('lease expired') } }]);
  });
  it('should give a job to the next fitting device when the one it matched was reserved meanwhile', async () => {
    // Prepare: two idle devices; between this pass's read and its reservation, another node reserves the first match.
    const first = await enroll();
    const second = await enroll();
    await runToQuiet();
    const reserve = devices.markBusy.bind(devices);
    const tried: string[] = [];
    devices.markBusy = async (deviceId) => {
      tried.push(deviceId);
      if (tried.length === 1) await reserve(deviceId); // the other node wins this one
      return reserve(deviceId);
    };

    // Execute
    const job = await jobs.submit(SPEC);
    await runToQuiet();

    // Assert: the same pass went on to the other device.
    expect(tried).toHaveLength(2);
    const taker = tried[1]!;
    expect([first, second]).toContain(taker);
    expect(taker).not.toBe(tried[0]);
    expect(await jobs.get(job.id)).toMatchObject({ state: 'assigned', deviceId: taker });
    expect(pusher.pushed.map((push) => push.deviceId)).toEqual([taker]);
  });

  it('should reconcile Hellos that arrive together: one held-jobs read for those that list nothing, the holder\'s job abandoned', async () => {
    // Prepare: one device holds a job; 20 others hold nothing.
    const job = await jobs.submit(SPEC);
    const holder = await enroll();
    await runToQuiet();
    const others = await Promise.all(Array.from({ length: 20 }, () => enroll()));
    const leases = harness.get(JobLeaseService);
    const reads: number[] = [];
    const listHeldRefs = jobs.listHeldRefs.bind(jobs);
    jobs.listHeldRefs = async (deviceIds) => {
      reads.push(deviceIds.length);
      return listHeldRefs(deviceIds);
    };

    // Execute: every device reconnects and lists no job (the holder's agent restarted).
    const held = await Promise.all([holder, ...others].map((deviceId) => leases.reconcileOnHello(deviceId, [])));
    await runToQuiet();

    // Assert: the abandoned job is requeued and offered again at once (JobQueued), to a device other than its holder.
    expect(reads).toEqual([21]);
    expect(held.every((h) => h.held === 0)).toBe(true);
    const requeued = await jobs.get(job.id);
    expect(requeued).toMatchObject({ state: 'assigned', attempt: 2, previousDeviceId: holder });
    expect(others).toContain(requeued!.deviceId);
  });

  it('should not expire a lease while a frame its device sent in time is still being handled, then expire it', async () => {
    // Prepare: the device holds the job and sent a frame just before its lease ended that the coordinator has not
    // handled yet (a result behind a backlog); a second frame arrived after the lease ended.
    const job = await jobs.submit(SPEC);
    const deviceId = await enroll();
    await runToQuiet();
    const leases = harness.get(JobLeaseService);
    const leaseEnd = Date.parse((await jobs.get(job.id))!.leaseExpiresAt!);
    const afterLease = new Date(leaseEnd + 1);

    // Execute
    pusher.framesInHand.set(deviceId, [leaseEnd - 1]);
    const whileInHand = await leases.expireDue(afterLease);
    pusher.framesInHand.set(deviceId, [leaseEnd + 1]);
    const onlyLateFrame = await leases.expireDue(afterLease);
    await runToQuiet();

    // Assert: deferred while the timely frame was in hand; a frame sent after the lease ended does not keep it. The
    // requeued job is offered again at once (JobQueued), here to the same device, the only one.
    expect(whileInHand).toBe(0);
    expect(onlyLateFrame).toBe(1);
    expect(await jobs.get(job.id)).toMatchObject({ attempt: 2, previousDeviceId: deviceId });
    expect(pusher.pushed.map((push) => push.assignment.attempt)).toEqual([1, 2]);
  });
});

describe(FleetSweeper.name, () => {
  it('should defer lease expiry once when the sweep itself ran late (the process stalled), then expire', async () => {
    // Prepare: no timer sweeps (hour-long period); the sweeps below are driven by hand with chosen clocks.
    const harness = await createServiceHarness({ sweepIntervalMs: 3_600_000, leaseMs: 1000 });
    try {
      const jobs = harness.get(JobService);
      const devices = harness.get(DeviceService);
      const tokens = harness.get(EnrollmentTokenService);
      const assignment = harness.get(AssignmentService);
      harness.get(DeviceChannel).attach(new FakePusher());
      const job = await jobs.submit(SPEC);
      const { deviceId } = await devices.enroll({ tokenId: await tokens.check((await tokens.create()).token), facts: TEST_FACTS, displayName: 'box' });
      await devices.hello(deviceId, TEST_FACTS);
      await assignment.run();
      await assignment.settle();
      const sut = harness.get(FleetSweeper);
      const start = Date.now();

      // Execute
      await sut.sweep(new Date(start));
      await sut.sweep(new Date(start + 2 * 3_600_000 + 5000));
      const afterStall = await jobs.get(job.id);
      await sut.sweep(new Date(start + 2 * 3_600_000 + 5100));
      await assignment.stop();

      // Assert
      expect(afterStall).toMatchObject({ state: 'assigned', attempt: 1 });
      expect(await jobs.get(job.id)).toMatchObject({ state: 'queued', attempt: 2 });
    } finally {
      await harness.close();
    }
  });
});

describe(JobHandlers.name, () => {
  let harness: ServiceHarness;
  let sut: JobHandlers;
  let jobs: JobService;
  let reports: JobReportService;
  let deviceId: string;
  let otherId: string;
  let jobId: string;

  beforeEach(async () => {
    harness = await createServiceHarness();
    sut = harness.get(JobHandlers);
    jobs = harness.get(JobService);
    reports = harness.get(JobReportService);
    const devices = harness.get(DeviceService);
    const tokens = harness.get(EnrollmentTokenService);
    const { token } = await tokens.create({ maxUses: 2 });
    const tokenId = await tokens.check(token);
    deviceId = (await devices.enroll({ tokenId, facts: TEST_FACTS, displayName: 'a' })).deviceId;
    otherId = (await devices.enroll({ tokenId, facts: TEST_FACTS, displayName: 'b' })).deviceId;
    await devices.hello(deviceId, TEST_FACTS);
    await devices.hello(otherId, TEST_FACTS);
    jobId = (await jobs.submit(SPEC)).id;
    await devices.markBusy(deviceId);
    await jobs.claim(jobId, deviceId);
  });

  afterEach(async () => {
    await harness.get(AssignmentService).stop();
    await harness.close();
  });

  async function codeOf(action: Promise<unknown>): Promise<ErrorCode> {
    try {
      await action;
    } catch (error) {
      if (error instanceof ProtocolFault) return error.code;
      throw error;
    }
    throw new Error('expected a ProtocolFault');
  }

  const progress = (sequence: number, attempt = 1) => ({
    jobId: '', attempt, sequence, epoch: 0, step: sequence, totalSteps: 4, loss: 1, trainAccuracy: 0, testAccuracy: -1,
    density: 1, stepMsP50: 0, stepMsP90: 0, peakMemoryBytes: 0, maskUpdates: 0, layers: [], phase: 'training', elapsedMs: 0,
  });

  it('should store a progress report once, acknowledge its resend and refuse other content under its key', async () => {
    const session = { kind: 'device', deviceId, remoteAddress: '127.0.0.1', greeted: true } as const;
    await sut.progress({ ...progress(1), jobId }, session);
    await sut.progress({ ...progress(1), jobId }, session);
    expect(await codeOf(sut.progress({ ...progress(1), jobId, loss: 9 }, session))).toBe(ErrorCode.ERROR_CODE_CONFLICT);
    const stored = await reports.listProgress(jobId);
    expect(stored).toHaveLength(1);
    expect(stored[0]).toMatchObject({ sequence: 1, loss: 1, deviceId });
    expect((await jobs.get(jobId))?.state).toBe('running');
  });

  it('should refuse reports from another device, for an attempt the job never had, or for an unknown job', async () => {
    expect(await codeOf(sut.progress({ ...progress(1), jobId }, { kind: 'device', deviceId: otherId, remoteAddress: '127.0.0.1', greeted: true }))).toBe(ErrorCode.ERROR_CODE_FORBIDDEN);
    expect(await codeOf(sut.progress({ ...progress(1, 7), jobId }, { kind: 'device', deviceId, remoteAddress: '127.0.0.1', greeted: true }))).toBe(ErrorCode.ERROR_CODE_CONFLICT);
    expect(await codeOf(sut.result(result('nope', 1), { kind: 'device', deviceId, remoteAddress: '127.0.0.1', greeted: true }))).toBe(ErrorCode.ERROR_CODE_NOT_FOUND);
    expect(await codeOf(sut.result(result(jobId, 1, JobOutcome.JOB_OUTCOME_UNSPECIFIED), { kind: 'device', deviceId, remoteAddress: '127.0.0.1', greeted: true }))).toBe(
      ErrorCode.ERROR_CODE_INVALID_PAYLOAD,
    );
    expect(await reports.listProgress(jobId)).toHaveLength(0);
  });

  it('should finish the job from the first result only, refuse a different one and free the device', async () => {
    const session = { kind: 'device', deviceId, remoteAddress: '127.0.0.1', greeted: true } as const;
    await sut.result(result(jobId, 1, JobOutcome.JOB_OUTCOME_FAILED), session);
    await sut.result(result(jobId, 1, JobOutcome.JOB_OUTCOME_FAILED), session);
    expect(await codeOf(sut.result(result(jobId, 1, JobOutcome.JOB_OUTCOME_SUCCEEDED), session))).toBe(ErrorCode.ERROR_CODE_CONFLICT);
    expect(await codeOf(sut.progress({ ...progress(2), jobId }, session))).toBe(ErrorCode.ERROR_CODE_ATTEMPT_ENDED);
    expect(await reports.listProgress(jobId)).toHaveLength(0);
    expect((await jobs.get(jobId))?.state).toBe('failed');
    expect((await reports.latestResult(jobId))?.outcome).toBe(JobOutcome.JOB_OUTCOME_FAILED);
    expect((await harness.get(DeviceService).get(deviceId))?.state).toBe('online');
  });
});
