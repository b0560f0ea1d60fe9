// The runner's job submission across the scenario's coordinator crashes: it waits while the coordinator is down,
// looks a job up by name after a transport failure before resending it (never doubling it), and treats an HTTP
// refusal as final. The coordinator here is a fake that stores jobs and can die before or after storing one.
import { describe, expect, it } from 'vitest';
import { RestError, type JobRow } from '../../../client/src/sim/scenario/coordinator-api.js';
import { submitAcrossOutages, type SubmissionApi } from '../../../client/src/sim/scenario/submit-across-outages.js';

const FAST = { outageLimitMs: 2_000, pollMs: 5, retryMs: 5 };

type Fault = 'none' | 'die-before-storing' | 'die-after-storing' | 'refuse';

class FakeCoordinator implements SubmissionApi {
  running = true;
  readonly stored: string[] = [];
  readonly calls: string[] = [];
  /** What each next submission does; 'none' once these are used up. */
  readonly faults: Fault[] = [];

  async listJobs(): Promise<JobRow[]> {
    this.calls.push('list');
    if (!this.running) throw new TypeError('fetch failed');
    return this.stored.map((name, index) => ({ id: String(index), name }) as JobRow);
  }

  async submitJobs(bodies: readonly unknown[]): Promise<Array<{ id: string; createdAt: string }>> {
    const names = bodies.map((body) => (body as { name: string }).name);
    this.calls.push(`submit ${names.join(',')}`);
    if (!this.running) throw new TypeError('fetch failed');
    const fault = this.faults.shift() ?? 'none';
    if (fault === 'refuse') throw new RestError('POST /api/jobs: 400 bad job', 400);
    if (fault === 'die-after-storing') this.stored.push(...names);
    if (fault !== 'none') {
      this.running = false;
      setTimeout(() => (this.running = true), 30);
      throw new TypeError('fetch failed');
    }
    this.stored.push(...names);
    return names.map((name) => ({ id: String(this.stored.indexOf(name)), createdAt: '' }));
  }
}

describe('submitAcrossOutages', () => {
  it('should wait while the coordinator is down and then submit once', async () => {
    const coordinator = new FakeCoordinator();
    coordinator.running = false;
    setTimeout(() => (coordinator.running = true), 30);

    await submitAcrossOutages(coordinator, coordinator, [{ name: 'job-1' }], FAST);

    expect(coordinator.calls).toEqual(['submit job-1']);
    expect(coordinator.stored).toEqual(['job-1']);
  });

  it('should not send a job again that the coordinator stored just before it died', async () => {
    const coordinator = new FakeCoordinator();
    coordinator.faults.push('die-after-storing');

    await submitAcrossOutages(coordinator, coordinator, [{ name: 'job-1' }], FAST);

    expect(coordinator.stored).toEqual(['job-1']);
    expect(coordinator.calls).toEqual(['submit job-1', 'list']);
  });

  it('should not send a batch again that the coordinator stored just before it died', async () => {
    const coordinator = new FakeCoordinator();
    coordinator.faults.push('die-after-storing');

    await submitAcrossOutages(coordinator, coordinator, [{ name: 'job-1' }, { name: 'job-2' }, { name: 'job-3' }], FAST);

    expect(coordinator.stored).toEqual(['job-1', 'job-2', 'job-3']);
    expect(coordinator.calls).toEqual(['submit job-1,job-2,job-3', 'list']);
  });

  it('should send a job again that the coordinator lost when it died', async () => {
    const coordinator = new FakeCoordinator();
    coordinator.faults.push('die-before-storing');

    await submitAcrossOutages(coordinator, coordinator, [{ name: 'job-1' }], FAST);

    expect(coordinator.stored).toEqual(['job-1']);
    expect(coordinator.calls).toEqual(['submit job-1', 'list', 'submit job-1']);
  });

  it('should give up with the refusal when the coordinator answers with an HTTP error', async () => {
    const coordinator = new FakeCoordinator();
    coordinator.faults.push('refuse');

    await expect(submitAcrossOutages(coordinator, coordinator, [{ name: 'job-1' }], FAST)).rejects.toThrow(RestError);
    expect(coordinator.calls).toEqual(['submit job-1']);
    expect(coordinator.stored).toEqual([]);
  });

  it('should give up with the transport error when the coordinator stays down past the limit', async () => {
    const coordinator = new FakeCoordinator();
    coordinator.faults.push('die-before-storing');
    const neverBack = { running: false };

    await expect(submitAcrossOutages(coordinator, neverBack, [{ name: 'job-1' }], { ...FAST, outageLimitMs: 50 })).rejects.toThrow('fetch failed');
    expect(coordinator.stored).toEqual([]);
  });
});
