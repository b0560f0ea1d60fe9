// Findings 3 and 4: a JobResult resent under the same (job, attempt, sequence) with another outcome was acked as a
// duplicate, and progress reports were stored after the job had its result. Now the same key with other content
// is a CONFLICT (the first record kept, counted in /metrics) and reports for an ended attempt are ATTEMPT_ENDED.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ErrorCode } from '../../protocol/src/index.js';
import { JobOutcome } from '../../protocol/src/index.js';
import { api, rawApi, request, startTestCoordinator, type TestCoordinator } from '../server/support/coordinator-harness.js';
import { errorCodeOf, jobResult, nthAssignment, onlineDevice, progressReport } from '../server/support/job-messages.js';

const JOB = { config: { model: 'mlp', data: { name: 'synthetic', trainLimit: 64 }, epochs: 1, maxSteps: 40 } };

describe('idempotency keys that keep the first record', () => {
  let test: TestCoordinator;

  beforeAll(async () => {
    test = await startTestCoordinator();
  });

  afterAll(async () => {
    await test?.stop();
  });

  it('should answer CONFLICT for other content under a used key and ATTEMPT_ENDED for reports after the result', async () => {
    // Prepare
    const device = await onlineDevice(test, 'reporter');
    await api(test, 'POST', '/api/jobs', JOB);
    const { jobId, attempt } = await nthAssignment(device);
    const progress = progressReport(jobId, attempt, 1);
    const result = jobResult(jobId, attempt, 9, 0.5);

    // Execute
    const stored = await request(device.socket, 'sparsefleet.v1.ProgressReport', progress);
    const resent = await request(device.socket, 'sparsefleet.v1.ProgressReport', progress);
    const rewritten = await request(device.socket, 'sparsefleet.v1.ProgressReport', { ...progress, loss: 0.01 });
    const done = await request(device.socket, 'sparsefleet.v1.JobResult', result);
    const doneAgain = await request(device.socket, 'sparsefleet.v1.JobResult', result);
    const flipped = await request(device.socket, 'sparsefleet.v1.JobResult', { ...result, outcome: JobOutcome.JOB_OUTCOME_FAILED, testAccuracy: 0 });
    const late = await request(device.socket, 'sparsefleet.v1.ProgressReport', progressReport(jobId, attempt, 2));
    const lateResend = await request(device.socket, 'sparsefleet.v1.ProgressReport', progress);
    const listed = (await api<Array<{ sequence: number; loss: number }>>(test, 'GET', `/api/jobs/${jobId}/progress`)).body;
    const kept = (await api<{ outcome: number; testAccuracy: number }>(test, 'GET', `/api/jobs/${jobId}/result`)).body;
    const metrics = (await rawApi<string>(test.coordinator.url, 'GET', '/metrics')).body;

    // Assert
    expect([stored.type, resent.type, done.type, doneAgain.type, lateResend.type]).toEqual(Array(5).fill('sparsefleet.v1.Ack'));
    expect(errorCodeOf(rewritten)).toBe(ErrorCode.ERROR_CODE_CONFLICT);
    expect(errorCodeOf(flipped)).toBe(ErrorCode.ERROR_CODE_CONFLICT);
    expect(errorCodeOf(late)).toBe(ErrorCode.ERROR_CODE_ATTEMPT_ENDED);
    expect(listed.map((p) => [p.sequence, p.loss])).toEqual([[1, progress.loss]]);
    expect(kept).toMatchObject({ outcome: JobOutcome.JOB_OUTCOME_SUCCEEDED, testAccuracy: 0.5 });
    expect(metrics).toMatch(/sparsefleet_report_conflicts_total\{kind="progress"\} 1/);
    expect(metrics).toMatch(/sparsefleet_report_conflicts_total\{kind="result"\} 1/);
    expect(metrics).toMatch(/sparsefleet_protocol_errors_total\{code="ATTEMPT_ENDED"\} 1/);
    device.socket.close();
  });

  it('should refuse reports for a cancelled job without storing them', async () => {
    const device = await onlineDevice(test, 'cancelled');
    const submitted = await api<{ id: string }>(test, 'POST', '/api/jobs', JOB);
    const { jobId, attempt } = await nthAssignment(device);
    await api(test, 'POST', `/api/jobs/${submitted.body.id}/cancel`);

    const progress = await request(device.socket, 'sparsefleet.v1.ProgressReport', progressReport(jobId, attempt, 1));
    const result = await request(device.socket, 'sparsefleet.v1.JobResult', jobResult(jobId, attempt));

    expect(errorCodeOf(progress)).toBe(ErrorCode.ERROR_CODE_ATTEMPT_ENDED);
    expect(errorCodeOf(result)).toBe(ErrorCode.ERROR_CODE_ATTEMPT_ENDED);
    expect((await api<unknown[]>(test, 'GET', `/api/jobs/${jobId}/progress`)).body).toEqual([]);
    expect((await api(test, 'GET', `/api/jobs/${jobId}/result`)).status).toBe(404);
    device.socket.close();
  });
});
