// A job submitted over REST reaches a connected raw device as JobAssignment; its reports are stored exactly once.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { z } from 'zod';
import { ErrorCode } from '../../protocol/src/index.js';
import { JobOutcome, type JobResult, type ProgressReport } from '../../protocol/src/index.js';
import { encodeMessage, expectMessage, type MessageOf } from '../../protocol/src/index.js';
import { JobController } from '../../server/src/api/job.controller.js';
import { CreatedEnrollmentTokenDto, DeviceDetailDto, DeviceListEntryDto, JobDto, JobProgressDto, JobResultDto, SubmittedJobDto } from '../../server/src/api/dto/index.js';
import { NO_ONLINE_DEVICE } from '../../server/src/jobs/job-selector.js';
import {
  TEST_FACTS,
  api,
  connect,
  enrollAndConnect,
  eventually,
  heartbeat,
  nextPush,
  request,
  startTestCoordinator,
  type EnrolledTestDevice,
  type TestCoordinator,
} from './support/coordinator-harness.js';
import { apiDto } from './support/rest-dto.js';

const SMALL_JOB = { name: 'tiny', config: { model: 'mlp', data: { name: 'synthetic', trainLimit: 64 }, epochs: 1, maxSteps: 2 } };

function progressReport(jobId: string, attempt: number, sequence: number): ProgressReport {
  return {
    jobId, attempt, sequence, epoch: 0, step: sequence, totalSteps: 2, loss: 2.3 - sequence * 0.1, trainAccuracy: 0.1,
    testAccuracy: -1, density: 1, stepMsP50: 1, stepMsP90: 2, peakMemoryBytes: 0, maskUpdates: 0, layers: [],
    phase: 'training', elapsedMs: 10,
  };
}

function jobResult(jobId: string, attempt: number): JobResult {
  return {
    jobId, attempt, sequence: 3, outcome: JobOutcome.JOB_OUTCOME_SUCCEEDED, error: '', backend: 'wasm',
    dataSource: 'synthetic', syntheticData: true, testAccuracy: 0.42, testLoss: 1.9, finalDensity: 1, layers: [],
    epochs: 1, steps: 2, wallMs: 20, stepMsP50: 1, stepMsP90: 2, peakRssBytes: 0, peakTensorBytes: 0, history: [],
    agentVersion: 'test', examplesSeen: 0, removedExamples: 0, removalSetVersion: 0, simulated: false,
  };
}

/** Answers a JobAssignment push with JobAccepted and returns the assignment. */
async function acceptNextJob(device: EnrolledTestDevice): Promise<MessageOf<'sparsefleet.v1.JobAssignment'>> {
  const pushed = await nextPush(device.socket, (decoded) => {
    const assignment = expectMessage(decoded, 'sparsefleet.v1.JobAssignment');
    return encodeMessage(
      'sparsefleet.v1.JobAccepted',
      { jobId: assignment.jobId, attempt: assignment.attempt, accepted: true, reason: '' },
      { senderVersion: 'test', requestId: decoded.requestId },
    );
  });
  return expectMessage(pushed, 'sparsefleet.v1.JobAssignment');
}

describe(JobController.name, () => {
  let test: TestCoordinator;

  beforeAll(async () => {
    test = await startTestCoordinator();
  });

  afterAll(async () => {
    await test?.stop();
  });

  it('should reject an invalid config with a 400 that names the field', async () => {
    const response = await api<{ message: string; issues: string[] }>(test, 'POST', '/api/jobs', {
      config: { model: 'mlp', optimizer: { lr: -1 } },
    });
    const unknown = await api<{ issues: string[] }>(test, 'POST', '/api/jobs', { config: {}, colour: 'red' });
    expect(response.status).toBe(400);
    expect(response.body.issues).toContain('config.optimizer.lr: must be > 0');
    expect(unknown.status).toBe(400);
    expect(unknown.body.issues.join(' ')).toContain('colour');
  });

  it('should queue a batch of jobs in the order given, and refuse a batch with an invalid job as a whole', async () => {
    const before = (await apiDto(test, z.array(JobDto), 'GET', '/api/jobs')).body.length;
    const invalid = await api<{ issues: string[] }>(test, 'POST', '/api/jobs/batch', {
      jobs: [{ ...SMALL_JOB, name: 'batch-ok' }, { config: { model: 'mlp', optimizer: { lr: -1 } } }],
    });
    const empty = await api<{ issues: string[] }>(test, 'POST', '/api/jobs/batch', { jobs: [] });
    expect(invalid.status).toBe(400);
    expect(invalid.body.issues).toContain('jobs.1.config.optimizer.lr: must be > 0');
    expect(empty.status).toBe(400);

    const names = ['batch-1', 'batch-2', 'batch-3'];
    const submitted = await apiDto(test, z.array(SubmittedJobDto), 'POST', '/api/jobs/batch', { jobs: names.map((name) => ({ ...SMALL_JOB, name })) });
    expect(submitted.status).toBe(201);
    expect(submitted.body).toHaveLength(3);
    const listed = (await apiDto(test, z.array(JobDto), 'GET', '/api/jobs')).body;
    expect(listed).toHaveLength(before + 3);
    expect(listed.slice(-3).map((job) => [job.id, job.name, job.state])).toEqual(submitted.body.map((job, index) => [job.id, names[index], 'queued']));
    expect(listed.some((job) => job.name === 'batch-ok')).toBe(false);
    // Leave the queue empty for the next tests.
    for (const job of submitted.body) expect((await api(test, 'POST', `/api/jobs/${job.id}/cancel`, {})).status).toBe(200);
  });

  it('should keep a job queued with a reason while no device is online', async () => {
    const submitted = await apiDto(test, JobDto, 'POST', '/api/jobs', SMALL_JOB);
    const waiting = await eventually(async () => {
      const job = (await apiDto(test, JobDto, 'GET', `/api/jobs/${submitted.body.id}`)).body;
      return job.waitingReason === NO_ONLINE_DEVICE ? job : undefined;
    });
    expect(submitted.status).toBe(201);
    expect(waiting).toMatchObject({ state: 'queued', attempt: 1, deviceId: null });
    expect(waiting.spec).toMatchObject({ model: 'mlp', maxSteps: 2, dataset: { name: 'synthetic' } });
    // Leave the queue empty for the next test: this job goes to the first device that says Hello.
    const device = await enrollAndConnect(test, 'drain');
    const accepted = acceptNextJob(device);
    await request(device.socket, 'sparsefleet.v1.HelloRequest', { facts: TEST_FACTS, runningJobIds: [] });
    const assignment = await accepted;
    expect(assignment.jobId).toBe(submitted.body.id);
    await request(device.socket, 'sparsefleet.v1.JobResult', jobResult(assignment.jobId, assignment.attempt));
    device.socket.close();
  });

  it('should push a submitted job to an idle device and store each report exactly once', async () => {
    // Prepare: an idle device, and a second device that must not be able to report on the job.
    const worker = await enrollAndConnect(test, 'worker');
    const other = await enrollAndConnect(test, 'other');
    await request(worker.socket, 'sparsefleet.v1.HelloRequest', { facts: TEST_FACTS, runningJobIds: [] });

    // Execute
    const pushed = acceptNextJob(worker);
    const submitted = await apiDto(test, JobDto, 'POST', '/api/jobs', SMALL_JOB);
    const assignment = await pushed;
    const progress = progressReport(assignment.jobId, assignment.attempt, 1);
    const first = await request(worker.socket, 'sparsefleet.v1.ProgressReport', progress);
    const resent = await request(worker.socket, 'sparsefleet.v1.ProgressReport', progress);
    const intruder = await request(other.socket, 'sparsefleet.v1.ProgressReport', progressReport(assignment.jobId, assignment.attempt, 2));
    const notANumber = await request(worker.socket, 'sparsefleet.v1.ProgressReport', {
      ...progressReport(assignment.jobId, assignment.attempt, 9),
      loss: Number.NaN,
    });
    const running = (await apiDto(test, JobDto, 'GET', `/api/jobs/${assignment.jobId}`)).body;
    const fleetWhileRunning = (await apiDto(test, z.array(DeviceListEntryDto), 'GET', '/api/devices')).body;
    const noResultYet = await api(test, 'GET', `/api/jobs/${assignment.jobId}/result`);
    await request(worker.socket, 'sparsefleet.v1.ProgressReport', progressReport(assignment.jobId, assignment.attempt, 2));
    const result = jobResult(assignment.jobId, assignment.attempt);
    const done = await request(worker.socket, 'sparsefleet.v1.JobResult', result);
    const doneAgain = await request(worker.socket, 'sparsefleet.v1.JobResult', result);
    const doneDifferently = await request(worker.socket, 'sparsefleet.v1.JobResult', { ...result, testAccuracy: 0.99 });
    const stillOk = await heartbeat(other.socket);

    // Assert
    expect(assignment).toMatchObject({ jobId: submitted.body.id, attempt: 1, spec: { model: 'mlp', maxSteps: 2 } });
    expect(assignment.leaseMs).toBeGreaterThan(0);
    expect(expectMessage(first, 'sparsefleet.v1.Ack').ok).toBe(true);
    expect(expectMessage(resent, 'sparsefleet.v1.Ack').ok).toBe(true);
    expect(intruder.type).toBe('sparsefleet.v1.ProtocolError');
    expect((intruder.message as MessageOf<'sparsefleet.v1.ProtocolError'>).code).toBe(ErrorCode.ERROR_CODE_FORBIDDEN);
    expect(notANumber.message).toMatchObject({ code: ErrorCode.ERROR_CODE_INVALID_PAYLOAD, message: expect.stringContaining('.loss') });
    expect(running).toMatchObject({ state: 'running', deviceId: worker.deviceId });
    expect(fleetWhileRunning.find((d) => d.id === worker.deviceId)?.currentJobId).toBe(assignment.jobId);
    expect(fleetWhileRunning.find((d) => d.id === other.deviceId)?.currentJobId).toBeNull();
    expect(noResultYet.status).toBe(404);
    expect(expectMessage(done, 'sparsefleet.v1.Ack').ok).toBe(true);
    expect(expectMessage(doneAgain, 'sparsefleet.v1.Ack').ok).toBe(true);
    expect(doneDifferently.message).toMatchObject({ code: ErrorCode.ERROR_CODE_CONFLICT });
    expect(stillOk.type).toBe('sparsefleet.v1.HeartbeatAck');

    const stored = (await apiDto(test, z.array(JobProgressDto), 'GET', `/api/jobs/${assignment.jobId}/progress`)).body;
    expect(stored.map((p) => p.sequence)).toEqual([1, 2]);
    expect(stored.every((p) => p.deviceId === worker.deviceId)).toBe(true);
    const storedResult = await apiDto(test, JobResultDto, 'GET', `/api/jobs/${assignment.jobId}/result`);
    expect(storedResult.status).toBe(200);
    expect(storedResult.body).toMatchObject({ testAccuracy: 0.42, outcome: JobOutcome.JOB_OUTCOME_SUCCEEDED });
    const finished = (await apiDto(test, JobDto, 'GET', `/api/jobs/${assignment.jobId}`)).body;
    expect(finished.state).toBe('succeeded');
    const devices = (await apiDto(test, z.array(DeviceListEntryDto), 'GET', '/api/devices')).body;
    expect(devices.find((d) => d.id === worker.deviceId)?.state).toBe('online');

    worker.socket.close();
    other.socket.close();
  });

  it('should issue enrollment tokens over REST that a device can enroll with', async () => {
    // Execute
    const created = await apiDto(test, CreatedEnrollmentTokenDto, 'POST', '/api/enrollment-tokens', { maxUses: 2, ttlSeconds: 600 });
    const invalid = await api<{ issues: string[] }>(test, 'POST', '/api/enrollment-tokens', { maxUses: 1.5 });
    const socket = await connect(test.coordinator.url, { enrollmentToken: created.body.token });
    const enrolled = await request(socket, 'sparsefleet.v1.EnrollRequest', { facts: TEST_FACTS, displayName: 'rest' });
    socket.close();

    // Assert
    expect(created.status).toBe(201);
    expect(created.body.maxUses).toBe(2);
    expect(Date.parse(created.body.expiresAt) - Date.now()).toBeGreaterThan(500_000);
    expect(invalid.status).toBe(400);
    expect(invalid.body.issues).toEqual(['maxUses: must be an integer']);
    const deviceId = expectMessage(enrolled, 'sparsefleet.v1.EnrollResponse').deviceId;
    expect((await apiDto(test, DeviceDetailDto, 'GET', `/api/devices/${deviceId}`)).body.displayName).toBe('rest');
  });

  it('should answer 404 for a job that does not exist', async () => {
    const response = await api(test, 'GET', '/api/jobs/00000000-0000-0000-0000-000000000000');
    expect(response.status).toBe(404);
  });

  it('should serve the OpenAPI document', async () => {
    const response = await api<{ paths: Record<string, unknown> }>(test, 'GET', '/api/docs/json');
    expect(response.status).toBe(200);
    expect(Object.keys(response.body.paths)).toEqual(expect.arrayContaining(['/api/jobs', '/api/enrollment-tokens', '/api/stats']));
  });

  it('should describe responses with the REST DTOs as OpenAPI components', async () => {
    type Operation = { responses: Record<string, { content?: Record<string, { schema: Record<string, unknown> }> }> };
    type Document = {
      paths: Record<string, Record<string, Operation>>;
      components: { schemas: Record<string, { properties?: Record<string, unknown>; required?: string[] }> };
    };
    const document = (await api<Document>(test, 'GET', '/api/docs/json')).body;
    const responseSchema = (path: string, method: string, status: string) =>
      document.paths[path]?.[method]?.responses[status]?.content?.['application/json']?.schema;

    const schemas = document.components.schemas;
    expect(Object.keys(schemas)).toEqual(expect.arrayContaining(['Device', 'DeviceDetail', 'Telemetry', 'Job', 'JobSpec', 'JobResult', 'Campaign']));
    expect(Object.keys(schemas.Telemetry?.properties ?? {})).toContain('loadAverage1m');
    expect(Object.keys(schemas.Telemetry?.properties ?? {})).not.toContain('loadAverage_1m');
    expect(schemas.Job?.required).toEqual(expect.arrayContaining(['id', 'state', 'spec', 'requirements']));
    expect(responseSchema('/api/jobs/{id}', 'get', '200')).toEqual({ $ref: '#/components/schemas/Job' });
    expect(responseSchema('/api/devices', 'get', '200')).toEqual({ type: 'array', items: { $ref: '#/components/schemas/DeviceListEntry' } });
    expect(responseSchema('/api/jobs', 'post', '201')).toEqual({ $ref: '#/components/schemas/Job' });
    expect(responseSchema('/api/jobs/{id}/masks', 'get', '200')).toEqual({ $ref: '#/components/schemas/MaskAt' });
    expect(responseSchema('/api/jobs/{id}/mask-stats', 'get', '200')).toEqual({ $ref: '#/components/schemas/MaskStats' });
    expect(schemas.MaskStatsEntry?.required).toEqual(expect.arrayContaining(['churn', 'itopRate', 'storedBytes']));
    expect(Object.keys(schemas.LayerMask?.properties ?? {})).toEqual(['layer', 'shape', 'size', 'active', 'density', 'checksum', 'encoding', 'data']);
  });
});
