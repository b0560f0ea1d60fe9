// /healthz (terminus) and /metrics (Prometheus) of a real coordinator, without an API key.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { HealthController } from '../../server/src/operations/health.controller.js';
import { MetricsService } from '../../server/src/metrics/metrics.service.js';
import {
  TEST_FACTS,
  api,
  enrollAndConnect,
  eventually,
  rawApi,
  request,
  sendFrame,
  startTestCoordinator,
  type TestCoordinator,
} from './support/coordinator-harness.js';
import { progressReport, pushesOf, recordPushes } from './support/job-messages.js';

describe(HealthController.name, () => {
  let test: TestCoordinator;

  beforeAll(async () => {
    test = await startTestCoordinator();
  });

  afterAll(async () => {
    await test?.stop();
  });

  it('should report the database up and this node (the sole leader) on /healthz without an API key', async () => {
    const response = await rawApi<{ status: string; info: Record<string, { status: string }> }>(test.coordinator.url, 'GET', '/healthz');
    expect(response.status).toBe(200);
    expect(response.body).toMatchObject({
      status: 'ok',
      info: { database: { status: 'up' }, node: { status: 'up', nodeId: test.coordinator.nodeId, leader: true } },
    });
  });

  it('should leave /healthz and /metrics out of the REST rate limit (probes poll them), and keep it on the API', async () => {
    const headersOf = async (route: string) => (await fetch(`${test.coordinator.url}${route}`)).headers;
    expect((await headersOf('/healthz')).get('x-ratelimit-limit-rest')).toBeNull();
    expect((await headersOf('/metrics')).get('x-ratelimit-limit-rest')).toBeNull();
    expect((await headersOf('/api/devices')).get('x-ratelimit-limit-rest')).not.toBeNull();
  });

  it(`should expose ${MetricsService.name}'s fleet metrics in the Prometheus format on /metrics`, async () => {
    // Prepare: one online device running a job that reported once, one malformed frame, two queued jobs.
    const device = await enrollAndConnect(test, 'metered');
    const pushes = recordPushes(device.socket);
    await request(device.socket, 'sparsefleet.v1.HelloRequest', { facts: TEST_FACTS, runningJobIds: [] });
    const job = { config: { model: 'mlp', data: { name: 'synthetic', trainLimit: 64 }, maxSteps: 2 } };
    await api(test, 'POST', '/api/jobs', job);
    const { jobId } = await eventually(async () => pushesOf(pushes, 'sparsefleet.v1.JobAssignment')[0]);
    await api(test, 'POST', '/api/jobs', job);
    await api(test, 'POST', '/api/jobs', job);
    await request(device.socket, 'sparsefleet.v1.ProgressReport', progressReport(jobId, 1, 1));
    await sendFrame(device.socket, Uint8Array.of(0xff));

    // Execute
    const response = await rawApi<string>(test.coordinator.url, 'GET', '/metrics');

    // Assert
    expect(response.status).toBe(200);
    expect(response.contentType).toContain('text/plain');
    expect(response.body).toMatch(/^sparsefleet_devices_online 1$/m);
    expect(response.body).toMatch(/^sparsefleet_devices\{state="busy"\} 1$/m);
    expect(response.body).toMatch(/^sparsefleet_jobs\{state="queued"\} 2$/m);
    expect(response.body).toMatch(/^sparsefleet_jobs\{state="running"\} 1$/m);
    expect(response.body).toMatch(/^sparsefleet_reports_received_total\{kind="progress"\} 1$/m);
    expect(response.body).toMatch(/^sparsefleet_protocol_errors_total\{code="MALFORMED_FRAME"\} 1$/m);
    expect(response.body).toContain('# TYPE sparsefleet_lease_expiries_total counter');
    expect(response.body).toContain('# TYPE sparsefleet_checkpoint_bytes_stored_total counter');
    device.socket.close();
  });
});
