// Finding 2: a device holding any job could commit a checkpoint id that another job stored ("already stored") and
// then fetch every byte of it; the size and step of a commit were recorded unchecked. Now a commit needs the bytes
// uploaded in that attempt, and the recorded size and position are read from the stored object.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ErrorCode } from '../../protocol/src/index.js';
import type { MessageOf } from '../../protocol/src/index.js';
import { api, request, startTestCoordinator, type TestCoordinator } from '../server/support/coordinator-harness.js';
import {
  errorCodeOf,
  jobResult,
  nthAssignment,
  onlineDevice,
  sha256Hex,
  trainingCheckpoint,
  type OnlineDevice,
} from '../server/support/job-messages.js';

const JOB = { config: { model: 'mlp', data: { name: 'synthetic', trainLimit: 64 }, epochs: 1, maxSteps: 40 } };

async function upload(device: OnlineDevice, jobId: string, attempt: number, bytes: Uint8Array) {
  const checkpointId = sha256Hex(bytes);
  const chunk = { jobId, attempt, checkpointId, offset: 0, totalBytes: bytes.byteLength, data: bytes };
  return { checkpointId, reply: await request(device.socket, 'sparsefleet.v1.CheckpointChunk', chunk) };
}

describe('checkpoint proof of possession', () => {
  let test: TestCoordinator;

  beforeAll(async () => {
    test = await startTestCoordinator();
  });

  afterAll(async () => {
    await test?.stop();
  });

  it('should refuse to commit or serve a checkpoint the device did not upload in its attempt', async () => {
    // Prepare: the owner's job stores a checkpoint; the thief holds a job of its own.
    const owner = await onlineDevice(test, 'owner');
    await api(test, 'POST', '/api/jobs', JOB);
    const ownJob = await nthAssignment(owner);
    const thief = await onlineDevice(test, 'thief');
    await api(test, 'POST', '/api/jobs', JOB);
    const thiefJob = await nthAssignment(thief);
    const bytes = trainingCheckpoint(20, 1, 600_000, 5);
    const { checkpointId } = await upload(owner, ownJob.jobId, ownJob.attempt, bytes);
    const base = { checkpointId, totalBytes: bytes.byteLength, step: 20, epoch: 1 };
    await request(owner.socket, 'sparsefleet.v1.CheckpointCommit', { jobId: ownJob.jobId, attempt: ownJob.attempt, ...base });

    // Execute
    const claimed = await request(thief.socket, 'sparsefleet.v1.CheckpointCommit', { jobId: thiefJob.jobId, attempt: thiefJob.attempt, ...base });
    const fetched = await request(thief.socket, 'sparsefleet.v1.CheckpointFetchRequest', { jobId: thiefJob.jobId, checkpointId, offset: 0, length: 0 });
    const foreign = await request(thief.socket, 'sparsefleet.v1.CheckpointFetchRequest', { jobId: ownJob.jobId, checkpointId, offset: 0, length: 0 });
    const thiefList = (await api<unknown[]>(test, 'GET', `/api/jobs/${thiefJob.jobId}/checkpoints`)).body;

    // Assert
    expect(errorCodeOf(claimed)).toBe(ErrorCode.ERROR_CODE_INVALID_PAYLOAD);
    expect((claimed.message as MessageOf<'sparsefleet.v1.ProtocolError'>).message).toContain('0 of');
    expect(errorCodeOf(fetched)).toBe(ErrorCode.ERROR_CODE_NOT_FOUND);
    expect(errorCodeOf(foreign)).toBe(ErrorCode.ERROR_CODE_FORBIDDEN);
    expect(thiefList).toEqual([]);
    await request(owner.socket, 'sparsefleet.v1.JobResult', jobResult(ownJob.jobId, ownJob.attempt));
    await request(thief.socket, 'sparsefleet.v1.JobResult', jobResult(thiefJob.jobId, thiefJob.attempt));
    owner.socket.close();
    thief.socket.close();
  });

  it('should accept the same content from a device that uploaded it itself, and record the stored size and step', async () => {
    // Prepare: two jobs whose devices both reach the same state (identical bytes).
    const first = await onlineDevice(test, 'twin-a');
    await api(test, 'POST', '/api/jobs', JOB);
    const jobA = await nthAssignment(first);
    const second = await onlineDevice(test, 'twin-b');
    await api(test, 'POST', '/api/jobs', JOB);
    const jobB = await nthAssignment(second);
    const bytes = trainingCheckpoint(30, 2, 200_000, 9);

    // Execute
    const { checkpointId } = await upload(first, jobA.jobId, jobA.attempt, bytes);
    const base = { checkpointId, totalBytes: bytes.byteLength };
    const lying = await request(first.socket, 'sparsefleet.v1.CheckpointCommit', { jobId: jobA.jobId, attempt: jobA.attempt, ...base, step: 123456789, epoch: 9 });
    const truthful = await request(first.socket, 'sparsefleet.v1.CheckpointCommit', { jobId: jobA.jobId, attempt: jobA.attempt, ...base, step: 30, epoch: 2 });
    await upload(second, jobB.jobId, jobB.attempt, bytes);
    const twin = await request(second.socket, 'sparsefleet.v1.CheckpointCommit', { jobId: jobB.jobId, attempt: jobB.attempt, ...base, step: 30, epoch: 2 });
    const listed = (await api<Array<{ totalBytes: number; step: number; epoch: number }>>(test, 'GET', `/api/jobs/${jobB.jobId}/checkpoints`)).body;

    // Assert
    expect(errorCodeOf(lying)).toBe(ErrorCode.ERROR_CODE_INVALID_PAYLOAD);
    expect((lying.message as MessageOf<'sparsefleet.v1.ProtocolError'>).message).toContain('holds step 30, epoch 2');
    expect(truthful.type).toBe('sparsefleet.v1.Ack');
    expect(twin.type).toBe('sparsefleet.v1.Ack');
    expect(listed).toEqual([expect.objectContaining({ totalBytes: bytes.byteLength, step: 30, epoch: 2 })]);
    await request(first.socket, 'sparsefleet.v1.JobResult', jobResult(jobA.jobId, jobA.attempt));
    await request(second.socket, 'sparsefleet.v1.JobResult', jobResult(jobB.jobId, jobB.attempt));
    first.socket.close();
    second.socket.close();
  });
});
