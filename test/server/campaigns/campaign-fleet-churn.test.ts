// A campaign over a simulated fleet of 3 in-process agents (real agent code, real coordinator on port 0, short
// leases) completes although one selected agent dies mid-cell: its cells move to the spare agent. The agents run
// a fake engine whose benchmark parses the cell with the engine's real request builder and returns deterministic
// numbers after a short pause (fast and independent of this machine's speed).
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { TrainingJobSpec } from '../../../protocol/src/index.js';
import { benchmarkRequestFromJobSpec } from '../../../client/src/engine/bench/request.js';
import type { BenchmarkCallbacks, BenchmarkOutcome, BenchmarkRequest } from '../../../client/src/engine/bench/types.js';
import { SimulatedFleet } from '../../../client/src/sim/fleet.js';
import type { CampaignDto } from '../../../server/src/api/dto/index.js';
import { FakeEngine } from '../../agent/fake-engine.js';
import { api, eventually, startTestCoordinator, type TestCoordinator } from '../support/coordinator-harness.js';

// Long enough that the kill below lands while the victim is inside its first cell, also on a loaded machine over PostgreSQL.
const CELL_MS = 1000;

class FakeBenchmarkEngine extends FakeEngine {
  toBenchmarkRequest(spec: TrainingJobSpec): BenchmarkRequest {
    return benchmarkRequestFromJobSpec(spec);
  }

  async runBenchmark(request: BenchmarkRequest, callbacks: BenchmarkCallbacks): Promise<BenchmarkOutcome> {
    const started = Date.now();
    while (Date.now() - started < CELL_MS) {
      await new Promise((resolve) => setTimeout(resolve, 10));
      callbacks.signal?.throwIfAborted();
    }
    const conditions = { temperatureCelsius: -1, batteryLevel: -1, charging: false, freeMemoryBytes: 1e9, loadAverage_1m: 0.1, atMs: started };
    const latency = { iterations: request.rules.minIterations, durationMs: request.rules.minDurationMs, percentiles: request.rules.percentiles.map((percentile) => ({ percentile, value: 2 })), meanMs: 2, minMs: 1.5 };
    return {
      campaignId: request.campaignId,
      cellId: request.cellId,
      kind: request.kind,
      latency,
      // 2x at density 0.5: within the 1.1 × 1/density the coordinator accepts.
      dense: { ...latency, percentiles: latency.percentiles.map((p) => ({ ...p, value: 4 })) },
      baseline: 'dense-simd-kernel',
      speedup: 2,
      speedupVsTfjs: 0,
      threads: { measured: 1, baseline: 1, tfjs: 0 },
      rules: request.rules,
      gflops: 1,
      peakMemoryBytes: 1000,
      modelStateBytes: 100,
      denseModelStateBytes: 400,
      testAccuracy: -1,
      drift: [],
      valid: true,
      invalidReasons: [],
      start: conditions,
      end: conditions,
      backend: 'cpu',
      compute: 'sparse-kernels',
      details: {},
    };
  }
}

describe('campaign on a simulated fleet with churn', () => {
  let test: TestCoordinator;
  let fleet: SimulatedFleet;
  let dir: string;

  beforeAll(async () => {
    test = await startTestCoordinator({ heartbeatIntervalMs: 200, leaseMs: 800, sweepIntervalMs: 50 });
    dir = await mkdtemp(join(tmpdir(), 'sf-campaign-fleet-'));
    const { token } = await test.coordinator.createEnrollmentToken({ maxUses: 3 });
    fleet = new SimulatedFleet({
      server: test.coordinator.url,
      enrollmentToken: token,
      size: 3,
      stateDir: dir,
      mode: 'in-process',
      engine: new FakeBenchmarkEngine(),
      backoff: { reconnectionDelayMs: 20, reconnectionDelayMaxMs: 100, randomizationFactor: 0.2 },
    });
    await fleet.start(20_000);
  }, 30_000);

  afterAll(async () => {
    await fleet?.stop();
    await test?.stop();
    await rm(dir, { recursive: true, force: true });
  });

  it('should complete when a selected agent leaves mid-run, its cells re-pinned to the spare agent', async () => {
    // Prepare: 2 cells on 2 of the 3 agents (sim-0 and sim-1 by name); sim-2 is the spare.
    expect(fleet.connectedCount).toBe(3);
    // Connected is not yet present: each agent's Hello is stored a moment later (a round trip more on PostgreSQL).
    await eventually(async () => ((await api<{ devices: { online: number } }>(test, 'GET', '/api/stats')).body.devices.online === 3 ? true : undefined));
    const spec = {
      name: 'churn',
      measure: 'kernel',
      matrix: { op: 'linear-forward', shape: [[4, 8, 8]], scheme: ['irregular', 'block'], density: 0.5 },
      devices: { placement: 'every', count: 2 },
      runRules: { warmupIterations: 1, minIterations: 3, minDurationMs: 5, percentiles: [50, 90] },
    };
    const started = (await api<CampaignDto>(test, 'POST', '/api/campaigns', spec)).body;
    const victim = fleet.members[1]!.deviceId!;
    const spare = fleet.members[2]!.deviceId!;
    expect(started.devices.map((device) => device.id)).toEqual([fleet.members[0]!.deviceId, victim]);
    await eventually(async () => {
      const view = (await api<CampaignDto>(test, 'GET', `/api/campaigns/${started.id}`)).body;
      return view.perDevice.find((device) => device.id === victim)?.runningCell ? true : undefined;
    });

    // Execute
    await fleet.kill(1);
    const final = await eventually(async () => {
      const view = (await api<CampaignDto>(test, 'GET', `/api/campaigns/${started.id}`)).body;
      return view.state === 'running' ? undefined : view;
    }, 600);

    // Assert
    expect(final.state).toBe('completed');
    expect(final.counts.succeeded).toBe(4);
    expect(final.results.filter((result) => result.deviceId === spare)).toHaveLength(2);
    expect(final.results.some((result) => result.deviceId === victim)).toBe(false);
    expect(final.results.every((result) => result.valid && result.benchmark?.speedup === 2)).toBe(true);
    const moved = final.cells.flatMap((cell) => cell.jobs).filter((job) => job.deviceId === spare);
    expect(moved.some((job) => job.attempt > 1)).toBe(true);
  }, 30_000);
});
