// The coordinator of a simulated run as a child process: it listens, takes an API key made in its data dir, and
// after a SIGKILL comes back on the same port with the same database (the key and the submitted job survive).
import { existsSync } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { CoordinatorApi } from '../../../client/src/sim/scenario/coordinator-api.js';
import { CoordinatorProcess } from '../../../client/src/sim/scenario/coordinator-process.js';

const BUILT = existsSync(join(import.meta.dirname, '../../../dist/cli/src/main.js'));

describe('coordinator child process', () => {
  let coordinator: CoordinatorProcess | undefined;
  let dataDir: string | undefined;
  afterAll(async () => {
    await coordinator?.stop();
    if (dataDir) await rm(dataDir, { recursive: true, force: true });
  });

  it('survives SIGKILL + restart on the same data dir and port', { timeout: 90_000 }, async () => {
    expect(BUILT, 'the coordinator runs from dist/: npm run build first').toBe(true);
    dataDir = await mkdtemp(join(tmpdir(), 'sf-sim-coordinator-'));
    coordinator = await CoordinatorProcess.start({ dataDir, heartbeatMs: 200, enrollmentsPerMinute: 100 });
    const firstPid = coordinator.pid;
    const url = coordinator.url;
    expect(url).toMatch(/^http:\/\/127\.0\.0\.1:\d+$/);
    const api = new CoordinatorApi(url, await coordinator.createApiKey());
    const job = await api.submitJob({ name: 'survivor', config: { model: 'mlp', data: { name: 'synthetic', trainLimit: 64 }, epochs: 1 } });
    expect(job.state).toBe('queued');

    await coordinator.kill();
    expect(coordinator.running).toBe(false);
    await expect(api.listJobs()).rejects.toThrow();

    await coordinator.restart();
    expect(coordinator.url).toBe(url);
    expect(coordinator.pid).not.toBe(firstPid);
    expect(coordinator.restartCount).toBe(1);
    const jobs = await api.listJobs();
    expect(jobs.map((stored) => [stored.id, stored.name])).toEqual([[job.id, 'survivor']]);
    expect(coordinator.peakRssBytes).toBeGreaterThan(10 * 1_048_576);
  });
});
