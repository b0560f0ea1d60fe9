// Job selectors, memory estimates and waiting reasons, cancellation, state filters and device detail, against a
// real coordinator with raw devices that accept every assignment.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { DecodedMessage } from '../../protocol/src/index.js';
import { describeRequirements, MEMORY_HEADROOM_FACTOR, MEMORY_HEADROOM_FIXED_BYTES } from '../../server/src/jobs/job-selector.js';
import { AssignmentService } from '../../server/src/assignment/assignment.service.js';
import { DeviceDetailDto, DeviceDto, DeviceListEntryDto } from '../../server/src/api/dto/index.js';
import { z } from 'zod';
import {
  TEST_FACTS,
  api,
  enrollAndConnect,
  eventually,
  request,
  startTestCoordinator,
  type EnrolledTestDevice,
  type TestCoordinator,
} from './support/coordinator-harness.js';
import { jobResult, pushesOf, recordPushes } from './support/job-messages.js';
import { apiDto } from './support/rest-dto.js';

const MIB = 1024 * 1024;
const SMALL_CONFIG = { model: 'mlp', data: { name: 'synthetic', trainLimit: 64 }, epochs: 1, maxSteps: 2 };
// ResNet-32 on all of CIFAR-10: an estimate far beyond a 256 MiB device.
const BIG_CONFIG = { model: 'resnet32', data: { name: 'cifar10' }, method: 'rigl', density: 0.1, batchSize: 128 };

interface JobBody {
  id: string;
  state: string;
  attempt: number;
  deviceId: string | null;
  waitingReason: string | null;
  memoryEstimate: { totalBytes: number; modelStateBytes: number; activationBytes: number; datasetBytes: number };
  requirements: { memoryBytes: number };
}

interface Device extends EnrolledTestDevice {
  readonly pushes: DecodedMessage[];
}

describe(AssignmentService.name, () => {
  let test: TestCoordinator;
  let lab: Device;
  let small: Device;

  async function device(name: string, facts: typeof TEST_FACTS, labels?: Record<string, string>): Promise<Device> {
    const enrolled = await enrollAndConnect(test, name);
    const pushes = recordPushes(enrolled.socket);
    if (labels) await api(test, 'PUT', `/api/devices/${enrolled.deviceId}/labels`, { labels });
    await request(enrolled.socket, 'sparsefleet.v1.HelloRequest', { facts, runningJobIds: [] });
    return { ...enrolled, pushes };
  }

  async function submit(body: Record<string, unknown>): Promise<JobBody> {
    const response = await api<JobBody>(test, 'POST', '/api/jobs', body);
    expect(response.status).toBe(201);
    return response.body;
  }

  async function settledJob(id: string, ready: (job: JobBody) => boolean): Promise<JobBody> {
    return eventually(async () => {
      const job = (await api<JobBody>(test, 'GET', `/api/jobs/${id}`)).body;
      return ready(job) ? job : undefined;
    });
  }

  beforeAll(async () => {
    // Every heartbeat's telemetry sample kept: these tests read the history back beat by beat.
    test = await startTestCoordinator({ telemetrySampleMs: 0 });
    lab = await device('lab-box', TEST_FACTS, { site: 'lab' });
    small = await device('tiny-box', { ...TEST_FACTS, memoryBytes: 256 * MIB, backendsAvailable: ['cpu'], chosenBackend: 'cpu' }, { tier: 'small' });
  });

  afterAll(async () => {
    lab?.socket.close();
    small?.socket.close();
    await test?.stop();
  });

  it('should reject a malformed job body with a 400 naming each bad field', async () => {
    const response = await api<{ issues: string[] }>(test, 'POST', '/api/jobs', {
      config: { model: 'mlp', optimizer: { lr: 0 } },
      selector: { minMemoryMb: -5, backend: 'gpu', colour: 'red' },
      maxAttempts: 0,
      checkpointEverySteps: 1.5,
    });
    expect(response.status).toBe(400);
    expect(response.body.issues).toEqual(
      expect.arrayContaining([
        'config.optimizer.lr: must be > 0',
        'selector.minMemoryMb: must be >= 1',
        'selector.backend: must be one of tensorflow, wasm, cpu',
        'selector.colour: unknown field',
        'maxAttempts: must be >= 1',
        'checkpointEverySteps: must be an integer',
      ]),
    );
  });

  it('should assign by selector and say precisely why every other job waits', async () => {
    // Execute
    const wrongSite = await submit({ config: SMALL_CONFIG, selector: { labels: { site: 'field' } } });
    const fits = await submit({ config: SMALL_CONFIG, selector: { labels: { site: 'lab' }, backend: 'wasm', minMemoryMb: 512 } });
    const alsoFits = await submit({ config: SMALL_CONFIG, selector: { labels: { site: 'lab' }, backend: 'wasm', minMemoryMb: 512 } });
    const tooBig = await submit({ config: BIG_CONFIG, selector: { labels: { tier: 'small' } } });
    const noneSoLarge = await submit({ config: SMALL_CONFIG, selector: { labels: { site: 'lab' }, backend: 'cpu', minMemoryMb: 8192 } });

    // Assert
    const assigned = await settledJob(fits.id, (job) => job.state === 'assigned');
    expect(assigned.deviceId).toBe(lab.deviceId);
    const assignment = await eventually(async () => pushesOf(lab.pushes, 'sparsefleet.v1.JobAssignment')[0]);
    expect(assignment.jobId).toBe(fits.id);
    const reasonOf = async (job: JobBody) => (await settledJob(job.id, (j) => j.waitingReason !== 'waiting for assignment')).waitingReason;
    expect(await reasonOf(wrongSite)).toMatch(/^no online device with label site=field and ≥ \d+ MB free$/);
    expect(await reasonOf(alsoFits)).toBe('1 matching device busy');
    expect(await reasonOf(noneSoLarge)).toBe('no online device with label site=lab, ≥ 8192 MB free and backend cpu');
    const neededMb = Math.ceil((tooBig.memoryEstimate.totalBytes * MEMORY_HEADROOM_FACTOR + MEMORY_HEADROOM_FIXED_BYTES) / MIB);
    expect(tooBig.memoryEstimate.totalBytes).toBeGreaterThan(256 * MIB);
    expect(tooBig.requirements.memoryBytes).toBeGreaterThan(256 * MIB);
    expect(await reasonOf(tooBig)).toBe(`no online device with label tier=small and ≥ ${neededMb} MB free`);
    expect(describeRequirements({ labels: {}, memoryBytes: 0 })).toBe('the required capabilities');
    expect(pushesOf(small.pushes, 'sparsefleet.v1.JobAssignment')).toEqual([]);

    // Execute: cancel the running job; the device is told to stop and takes the next fitting job.
    const cancelled = await api<JobBody>(test, 'POST', `/api/jobs/${fits.id}/cancel`);
    const cancelAgain = await api(test, 'POST', `/api/jobs/${fits.id}/cancel`);
    const cancelUnknown = await api(test, 'POST', '/api/jobs/no-such-job/cancel');
    const next = await eventually(async () => pushesOf(lab.pushes, 'sparsefleet.v1.JobAssignment')[1]);
    const queued = await api<JobBody[]>(test, 'GET', '/api/jobs?state=queued');
    const badFilter = await api(test, 'GET', '/api/jobs?state=sleeping');
    const detail = await api<{ state: string; currentJob: { id: string } | null; labels: Record<string, string> }>(test, 'GET', `/api/devices/${lab.deviceId}`);

    // Assert
    expect(cancelled.status).toBe(200);
    expect(cancelled.body.state).toBe('cancelled');
    expect(pushesOf(lab.pushes, 'sparsefleet.v1.JobCancel')).toEqual([{ jobId: fits.id, reason: 'cancelled by the operator' }]);
    expect(cancelAgain.status).toBe(409);
    expect(cancelUnknown.status).toBe(404);
    expect(next.jobId).toBe(alsoFits.id);
    expect(queued.body.map((job) => job.id).sort()).toEqual([wrongSite.id, tooBig.id, noneSoLarge.id].sort());
    expect(queued.body.every((job) => job.state === 'queued')).toBe(true);
    expect(badFilter.status).toBe(400);
    expect(detail.body).toMatchObject({ state: 'busy', currentJob: { id: alsoFits.id }, labels: { site: 'lab' } });

    // Cleanup: finish the job and cancel the ones that can never run here.
    await request(lab.socket, 'sparsefleet.v1.JobResult', jobResult(alsoFits.id, 1));
    for (const job of [wrongSite, tooBig, noneSoLarge]) await api(test, 'POST', `/api/jobs/${job.id}/cancel`);
  });

  it('should show a device\'s capabilities, labels, latest telemetry and telemetry history', async () => {
    // Prepare
    const telemetry = (free: number) => ({ freeMemoryBytes: free, rssBytes: 50 * MIB, loadAverage_1m: 0.5, temperatureCelsius: 41, batteryLevel: 0.8, charging: true });

    // Execute
    await request(small.socket, 'sparsefleet.v1.Heartbeat', { sentAtMs: Date.now(), telemetry: telemetry(200 * MIB), runningJobIds: [] });
    await request(small.socket, 'sparsefleet.v1.Heartbeat', { sentAtMs: Date.now(), telemetry: telemetry(100 * MIB), runningJobIds: [] });
    const relabel = await apiDto(test, DeviceDto, 'PUT', `/api/devices/${small.deviceId}/labels`, { labels: { tier: 'small', room: '4' } });
    const badLabels = await api<{ issues: string[] }>(test, 'PUT', `/api/devices/${small.deviceId}/labels`, { labels: { 'bad key!': 'x' } });
    const detail = await apiDto(test, DeviceDetailDto, 'GET', `/api/devices/${small.deviceId}`);
    const listed = (await apiDto(test, z.array(DeviceListEntryDto), 'GET', '/api/devices')).body.find((device) => device.id === small.deviceId);

    // Assert
    expect(relabel.body.labels).toEqual({ room: '4', tier: 'small' });
    expect(badLabels.status).toBe(400);
    expect(detail.body.capabilities).toEqual(expect.objectContaining({ backends: ['cpu'], cores: 2, memoryBytes: 256 * MIB, wasmSimd: true }));
    expect(detail.body.telemetry).toMatchObject({ freeMemoryBytes: 100 * MIB, charging: true });
    expect(detail.body.telemetryHistory.map((sample) => sample.telemetry.freeMemoryBytes)).toEqual([100 * MIB, 200 * MIB]);
    expect(detail.body.availableMemoryBytes).toBe(100 * MIB);
    expect(detail.body.currentJob).toBeNull();
    expect(listed?.telemetry).toEqual(detail.body.telemetry);
  });

  it('should name the load average loadAverage1m in REST, whatever the wire code calls it', async () => {
    // Prepare: the wire's JavaScript name is loadAverage_1m (proto field load_average_1m).
    const telemetry = { freeMemoryBytes: 150 * MIB, rssBytes: 50 * MIB, loadAverage_1m: 1.25, temperatureCelsius: -1, batteryLevel: -1, charging: false };

    // Execute
    await request(small.socket, 'sparsefleet.v1.Heartbeat', { sentAtMs: Date.now(), telemetry, runningJobIds: [] });
    const detail = await api<Record<string, unknown> & { telemetry: Record<string, unknown>; telemetryHistory: Array<{ telemetry: Record<string, unknown> }> }>(
      test,
      'GET',
      `/api/devices/${small.deviceId}`,
    );
    const listed = await api<Array<{ id: string; telemetry: Record<string, unknown> }>>(test, 'GET', '/api/devices');

    // Assert
    expect(detail.body.telemetry).toEqual({
      freeMemoryBytes: 150 * MIB,
      rssBytes: 50 * MIB,
      loadAverage1m: 1.25,
      temperatureCelsius: -1,
      batteryLevel: -1,
      charging: false,
      visibility: null,
      thermalState: null,
    });
    expect(detail.body.telemetryHistory[0]?.telemetry).toEqual(detail.body.telemetry);
    expect(listed.body.find((device) => device.id === small.deviceId)?.telemetry).toEqual(detail.body.telemetry);
    expect(JSON.stringify([detail.body, listed.body])).not.toContain('loadAverage_1m');
  });
});
