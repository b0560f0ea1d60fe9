// Leases and recovery against a real coordinator: expiry requeues to another device resuming from the committed
// checkpoint, chunked checkpoint upload and fetch, one result per job, reconnects within the lease.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { z } from 'zod';
import { CheckpointDto } from '../../server/src/api/dto/index.js';
import { apiDto } from './support/rest-dto.js';
import { ErrorCode } from '../../protocol/src/index.js';
import { expectMessage, type DecodedMessage, type MessageOf } from '../../protocol/src/index.js';
import { JobLeaseService } from '../../server/src/jobs/job-lease.service.js';
import {
  TEST_FACTS,
  api,
  connect,
  enrollAndConnect,
  eventually,
  rawApi,
  request,
  startTestCoordinator,
  type EnrolledTestDevice,
  type TestCoordinator,
} from './support/coordinator-harness.js';
import {
  errorCodeOf,
  jobResult,
  nthAssignment,
  onlineDevice,
  progressReport,
  pseudoRandomBytes,
  pushesOf,
  recordPushes,
  sha256Hex,
  trainingCheckpoint,
} from './support/job-messages.js';

const MIB = 1024 * 1024;
const SMALL_JOB = { config: { model: 'mlp', data: { name: 'synthetic', trainLimit: 64 }, epochs: 1, maxSteps: 40 } };

interface JobBody {
  id: string;
  state: string;
  attempt: number;
  deviceId: string | null;
  previousDeviceId: string | null;
  waitingReason: string | null;
}

async function jobOf(test: TestCoordinator, id: string): Promise<JobBody> {
  return (await api<JobBody>(test, 'GET', `/api/jobs/${id}`)).body;
}

describe(JobLeaseService.name, () => {
  let test: TestCoordinator;

  beforeAll(async () => {
    // Devices stay present for 15 s without heartbeats, but a job's lease lasts 2 s without renewal.
    test = await startTestCoordinator({ leaseMs: 2000, sweepIntervalMs: 50 });
  });

  afterAll(async () => {
    await test?.stop();
  });

  it('should requeue an expired lease to another device with attempt + 1, resuming from the committed checkpoint', async () => {
    // Prepare: device A (enrolled first, so it is offered the job) runs the job and uploads a 2.5 MiB checkpoint
    // in three chunks, resending one; device B waits idle.
    const a = await onlineDevice(test, 'lease-a');
    const b = await onlineDevice(test, 'lease-b');
    const submitted = (await api<JobBody>(test, 'POST', '/api/jobs', { ...SMALL_JOB, checkpointEverySteps: 10 })).body;
    const first = await nthAssignment(a);
    const jobId = first.jobId;
    await request(a.socket, 'sparsefleet.v1.ProgressReport', progressReport(jobId, 1, 1));
    const checkpoint = trainingCheckpoint(20, 1, 2.5 * MIB, 7);
    const checkpointId = sha256Hex(checkpoint);
    const chunk = (offset: number) => ({
      jobId, attempt: 1, checkpointId, offset, totalBytes: checkpoint.byteLength,
      data: checkpoint.subarray(offset, Math.min(offset + MIB, checkpoint.byteLength)),
    });
    const uploads = [];
    for (const offset of [0, MIB, 2 * MIB, MIB]) uploads.push(await request(a.socket, 'sparsefleet.v1.CheckpointChunk', chunk(offset)));
    const commit = { jobId, attempt: 1, checkpointId, totalBytes: checkpoint.byteLength, step: 20, epoch: 1 };
    const committed = await request(a.socket, 'sparsefleet.v1.CheckpointCommit', commit);
    const recommitted = await request(a.socket, 'sparsefleet.v1.CheckpointCommit', commit);
    await request(a.socket, 'sparsefleet.v1.ProgressReport', progressReport(jobId, 1, 2));

    // Execute: A goes silent; its lease runs out.
    const second = await nthAssignment(b);

    // Assert: the retry went to B, resuming from A's checkpoint.
    expect(first).toMatchObject({ jobId: submitted.id, attempt: 1, checkpointEverySteps: 10, leaseMs: 2000 });
    expect(first.resume).toBeUndefined();
    expect(uploads.map((reply) => reply.type)).toEqual(Array(4).fill('sparsefleet.v1.Ack'));
    expect(committed.type).toBe('sparsefleet.v1.Ack');
    expect(recommitted.type).toBe('sparsefleet.v1.Ack');
    expect(second).toMatchObject({
      jobId,
      attempt: 2,
      checkpointEverySteps: 10,
      resume: { checkpointId, totalBytes: checkpoint.byteLength, step: 20, epoch: 1 },
    });
    expect(await jobOf(test, jobId)).toMatchObject({ state: 'assigned', attempt: 2, deviceId: b.deviceId, previousDeviceId: a.deviceId });
    const cancels = await eventually(async () => {
      const found = pushesOf(a.pushes, 'sparsefleet.v1.JobCancel');
      return found.length > 0 ? found : undefined;
    });
    expect(cancels).toEqual([{ jobId, reason: expect.stringContaining('lease expired') }]);

    // Execute: B fetches the checkpoint in ≤ 1 MiB pieces; A may no longer read it nor report.
    const pieces: Uint8Array[] = [];
    for (let offset = 0; offset < checkpoint.byteLength; ) {
      const reply = await request(b.socket, 'sparsefleet.v1.CheckpointFetchRequest', { jobId, checkpointId, offset, length: 0 });
      const piece = expectMessage(reply, 'sparsefleet.v1.CheckpointFetchResponse');
      expect(piece).toMatchObject({ checkpointId, offset, totalBytes: checkpoint.byteLength });
      expect(piece.data.byteLength).toBeLessThanOrEqual(MIB);
      pieces.push(piece.data);
      offset += piece.data.byteLength;
    }
    const stranger = await onlineDevice(test, 'lease-stranger');
    const stolen = await request(stranger.socket, 'sparsefleet.v1.CheckpointFetchRequest', { jobId, checkpointId, offset: 0, length: 16 });
    const stale = await request(a.socket, 'sparsefleet.v1.CheckpointFetchRequest', { jobId, checkpointId, offset: 0, length: 16 });
    const late = await request(a.socket, 'sparsefleet.v1.ProgressReport', progressReport(jobId, 1, 3));

    // Assert
    expect(pieces).toHaveLength(3);
    expect(sha256Hex(Buffer.concat(pieces))).toBe(checkpointId);
    expect(errorCodeOf(stolen)).toBe(ErrorCode.ERROR_CODE_FORBIDDEN);
    expect(errorCodeOf(stale)).toBe(ErrorCode.ERROR_CODE_ATTEMPT_ENDED);
    expect(errorCodeOf(late)).toBe(ErrorCode.ERROR_CODE_ATTEMPT_ENDED);
    const listed = await apiDto(test, z.array(CheckpointDto), 'GET', `/api/jobs/${jobId}/checkpoints`);
    expect(listed.body).toEqual([expect.objectContaining({ checkpointId, step: 20, deviceId: a.deviceId })]);

    // Execute + Assert: exactly one result per job.
    const done = await request(b.socket, 'sparsefleet.v1.JobResult', jobResult(jobId, 2, 50, 0.61));
    const resent = await request(b.socket, 'sparsefleet.v1.JobResult', jobResult(jobId, 2, 50, 0.61));
    const another = await request(b.socket, 'sparsefleet.v1.JobResult', jobResult(jobId, 2, 51, 0.99));
    const abandoned = await request(a.socket, 'sparsefleet.v1.JobResult', jobResult(jobId, 1, 60, 0.1));
    expect(done.type).toBe('sparsefleet.v1.Ack');
    expect(resent.type).toBe('sparsefleet.v1.Ack');
    expect(errorCodeOf(another)).toBe(ErrorCode.ERROR_CODE_CONFLICT);
    expect(errorCodeOf(abandoned)).toBe(ErrorCode.ERROR_CODE_ATTEMPT_ENDED);
    expect(await jobOf(test, jobId)).toMatchObject({ state: 'succeeded', attempt: 2, deviceId: b.deviceId });
    expect((await api<{ testAccuracy: number; deviceId: string }>(test, 'GET', `/api/jobs/${jobId}/result`)).body).toMatchObject({
      testAccuracy: 0.61,
      deviceId: b.deviceId,
    });
    const metrics = await rawApi<string>(test.coordinator.url, 'GET', '/metrics');
    expect(metrics.body).toMatch(/^sparsefleet_lease_expiries_total 1$/m);
    expect(metrics.body).toContain(`sparsefleet_checkpoint_bytes_stored_total ${checkpoint.byteLength}`);
    for (const device of [a, b, stranger]) device.socket.close();
  });

});

describe('checkpoint transfer and leases across reconnects', () => {
  let test: TestCoordinator;

  beforeAll(async () => {
    test = await startTestCoordinator({ leaseMs: 30_000 });
  });

  afterAll(async () => {
    await test?.stop();
  });

  async function deviceState(deviceId: string): Promise<string | undefined> {
    return (await api<{ state: string }>(test, 'GET', `/api/devices/${deviceId}`)).body.state;
  }

  it('should keep the job of a device that reconnects within the lease, and leave other devices idle', async () => {
    // Prepare
    const a = await onlineDevice(test, 'returning');
    const { body: submitted } = await api<JobBody>(test, 'POST', '/api/jobs', SMALL_JOB);
    const { jobId } = await nthAssignment(a);
    await request(a.socket, 'sparsefleet.v1.ProgressReport', progressReport(jobId, 1, 1));
    const bystander = await onlineDevice(test, 'bystander');

    // Execute: the link drops, then the device comes back naming its job.
    a.socket.close();
    await eventually(async () => ((await deviceState(a.deviceId)) === 'offline' ? true : undefined));
    const whileAway = await jobOf(test, jobId);
    const back = await connect(test.coordinator.url, { deviceId: a.deviceId, credential: a.credential });
    const backPushes = recordPushes(back);
    await request(back, 'sparsefleet.v1.HelloRequest', { facts: TEST_FACTS, runningJobIds: [jobId] });
    const progress = await request(back, 'sparsefleet.v1.ProgressReport', progressReport(jobId, 1, 2));

    // Assert
    expect(submitted.id).toBe(jobId);
    expect(whileAway).toMatchObject({ state: 'running', attempt: 1, deviceId: a.deviceId });
    expect(progress.type).toBe('sparsefleet.v1.Ack');
    expect(await jobOf(test, jobId)).toMatchObject({ state: 'running', attempt: 1, deviceId: a.deviceId });
    expect(await deviceState(a.deviceId)).toBe('busy');
    expect(await deviceState(bystander.deviceId)).toBe('online');
    expect(pushesOf(bystander.pushes, 'sparsefleet.v1.JobAssignment')).toEqual([]);
    expect(backPushes).toEqual([]);
    await request(back, 'sparsefleet.v1.JobResult', jobResult(jobId, 1));
    back.close();
    bystander.socket.close();
  });

  it('should abandon at once a job the reconnecting device no longer runs, and cancel jobs it runs but does not hold', async () => {
    // Prepare
    const a = await onlineDevice(test, 'restarted');
    await api(test, 'POST', '/api/jobs', SMALL_JOB);
    const { jobId } = await nthAssignment(a);
    const b = await onlineDevice(test, 'standby');

    // Execute: the agent restarted (lost its job) and somehow still runs an old one.
    a.socket.close();
    const back = await connect(test.coordinator.url, { deviceId: a.deviceId, credential: a.credential });
    const backPushes = recordPushes(back);
    await request(back, 'sparsefleet.v1.HelloRequest', { facts: TEST_FACTS, runningJobIds: ['ghost-job'] });
    const retry = await nthAssignment(b);

    // Assert
    expect(retry).toMatchObject({ jobId, attempt: 2 });
    const cancels = await eventually(async () => {
      const found = pushesOf(backPushes, 'sparsefleet.v1.JobCancel');
      return found.length > 1 ? found : undefined;
    });
    expect(cancels.map((cancel) => cancel.jobId).sort()).toEqual([jobId, 'ghost-job'].sort());
    expect((await jobOf(test, jobId)).previousDeviceId).toBe(a.deviceId);
    await request(b.socket, 'sparsefleet.v1.JobResult', jobResult(jobId, 2));
    back.close();
    b.socket.close();
  });

  it('should refuse oversized chunks, wrong hashes, incomplete uploads and uploads for another device\'s job', async () => {
    // Prepare
    const holder = await onlineDevice(test, 'chunk-holder');
    await api(test, 'POST', '/api/jobs', SMALL_JOB);
    const { jobId } = await nthAssignment(holder);
    const other = await onlineDevice(test, 'chunk-other');
    const bytes = pseudoRandomBytes(MIB + 10, 3);
    const checkpointId = sha256Hex(bytes);
    const base = { jobId, attempt: 1, checkpointId, totalBytes: bytes.byteLength };

    // Execute
    const oversized = await request(holder.socket, 'sparsefleet.v1.CheckpointChunk', { ...base, offset: 0, data: bytes });
    const badId = await request(holder.socket, 'sparsefleet.v1.CheckpointChunk', { ...base, checkpointId: 'abc', offset: 0, data: bytes.subarray(0, 10) });
    const foreign = await request(other.socket, 'sparsefleet.v1.CheckpointChunk', { ...base, offset: 0, data: bytes.subarray(0, 10) });
    await request(holder.socket, 'sparsefleet.v1.CheckpointChunk', { ...base, offset: 0, data: bytes.subarray(0, MIB) });
    const incomplete = await request(holder.socket, 'sparsefleet.v1.CheckpointCommit', { ...base, step: 1, epoch: 0 });
    await request(holder.socket, 'sparsefleet.v1.CheckpointChunk', { ...base, offset: MIB, data: Uint8Array.of(9, 9, 9, 9, 9, 9, 9, 9, 9, 9) });
    const corrupt = await request(holder.socket, 'sparsefleet.v1.CheckpointCommit', { ...base, step: 1, epoch: 0 });
    const unknownFetch = await request(holder.socket, 'sparsefleet.v1.CheckpointFetchRequest', { jobId, checkpointId, offset: 0, length: 1 });
    await request(holder.socket, 'sparsefleet.v1.JobResult', jobResult(jobId, 1));

    // Assert
    expect(errorCodeOf(oversized)).toBe(ErrorCode.ERROR_CODE_INVALID_PAYLOAD);
    expect(errorCodeOf(badId)).toBe(ErrorCode.ERROR_CODE_INVALID_PAYLOAD);
    expect(errorCodeOf(foreign)).toBe(ErrorCode.ERROR_CODE_FORBIDDEN);
    expect(errorCodeOf(incomplete)).toBe(ErrorCode.ERROR_CODE_INVALID_PAYLOAD);
    expect((incomplete.message as MessageOf<'sparsefleet.v1.ProtocolError'>).message).toContain(`${MIB} of ${MIB + 10} bytes`);
    expect(errorCodeOf(corrupt)).toBe(ErrorCode.ERROR_CODE_INVALID_PAYLOAD);
    expect(errorCodeOf(unknownFetch)).toBe(ErrorCode.ERROR_CODE_NOT_FOUND);
    holder.socket.close();
    other.socket.close();
  });
});
