// `sparsefleet sim profile from-campaign` against a real coordinator with a stored training-step campaign (two raw
// benchmark devices, one three times slower), and the derivation's edge cases on hand-built campaign views.
import { mkdtemp, readdir, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runCampaignRun } from '../../../cli/src/commands/campaign.js';
import { runSimProfileFromCampaign } from '../../../cli/src/commands/sim-profile.js';
import type { CampaignView } from '../../../cli/src/operator/campaign-api.js';
import { CampaignLinesView } from '../../../cli/src/operator/campaign-watch.js';
import { createOperatorContext } from '../../../cli/src/operator/command-kit.js';
import { UsageError } from '../../../cli/src/operator/errors.js';
import { BufferedOutput } from '../../../cli/src/operator/output.js';
import {
  CampaignProfileError,
  loadDeviceProfile,
  parseDeviceProfile,
  profilesFromCampaign,
  referenceStepMs,
  type CampaignForProfiles,
  type CampaignResultForProfiles,
} from '../../../client/src/sim/profiles/index.js';
import { startTestCoordinator, type TestCoordinator } from '../../server/support/coordinator-harness.js';
import { benchmarkDevice, type BenchmarkDevice } from '../../server/campaigns/support/benchmark-device.js';

const CAMPAIGN = `
name: step-profile
measure: training-step
matrix:
  model: [mlp]
  method: [static]
  scheme: [irregular]
  density: [0.1, 0.5]
  batchSize: [128]
base:
  data: { name: synthetic, trainLimit: 512 }
devices:
  selector: {}
  placement: every
runRules:
  warmupIterations: 1
  minIterations: 3
  minDurationMs: 10
  percentiles: [50, 90]
  cooldownMs: 0
`;

/** The p50 step time benchmarkDevice reports for a cell: (1 + 10 × density × slowdown) × 1.05 ms. */
function reportedP50(density: number, slowdown: number): number {
  return (1 + density * 10 * slowdown) * 1.05;
}

describe('sim profile from-campaign against a coordinator', () => {
  let test: TestCoordinator;
  let dir: string;
  const devices: BenchmarkDevice[] = [];
  let campaign: CampaignView;

  beforeAll(async () => {
    test = await startTestCoordinator({ sweepIntervalMs: 50 });
    dir = await mkdtemp(join(tmpdir(), 'sf-sim-profile-'));
    devices.push(await benchmarkDevice(test, 'fast-box', 'measure', 1), await benchmarkDevice(test, 'slow-box', 'measure', 3));
    const file = join(dir, 'campaign.yaml');
    await writeFile(file, CAMPAIGN);
    const output = new BufferedOutput();
    const code = await runCampaignRun(createOperatorContext(test.coordinator.url, test.apiKey, output), file, {
      wait: true,
      json: true,
      intervalMs: 50,
      view: new CampaignLinesView(() => {}),
    });
    expect(code).toBe(0);
    campaign = JSON.parse(output.stdout) as CampaignView;
  });

  afterAll(async () => {
    for (const device of devices) device.leave();
    await test?.stop();
    await rm(dir, { recursive: true, force: true });
  });

  it('writes one profile per device with the measured step times and a fitted speed factor', async () => {
    const out = join(dir, 'profiles');
    const output = new BufferedOutput();
    const context = createOperatorContext(test.coordinator.url, test.apiKey, output);
    expect(await runSimProfileFromCampaign(context, campaign.id.slice(0, 8), { out, groupBy: 'device', base: 'jetson-nano' })).toBe(0);
    expect((await readdir(out)).sort()).toEqual(['fast-box.yaml', 'slow-box.yaml']);
    const fast = await loadDeviceProfile(join(out, 'fast-box.yaml'));
    const slow = await loadDeviceProfile(join(out, 'slow-box.yaml'));
    expect(Object.keys(fast.compute.stepMs ?? {}).sort()).toEqual(['mlp/irregular/0.1/b128', 'mlp/irregular/0.5/b128']);
    expect(fast.compute.stepMs?.['mlp/irregular/0.1/b128']).toBeCloseTo(reportedP50(0.1, 1), 3);
    expect(slow.compute.stepMs?.['mlp/irregular/0.5/b128']).toBeCloseTo(reportedP50(0.5, 3), 3);
    // Geometric mean of reference / measured over the two cells.
    const expectedFast = Math.sqrt((1.82 / reportedP50(0.1, 1)) * (6.84 / reportedP50(0.5, 1)));
    expect(fast.compute.speedFactor).toBeCloseTo(expectedFast, 3);
    expect(slow.compute.speedFactor).toBeLessThan(fast.compute.speedFactor);
    // From the device facts (TEST_FACTS: 4 GiB, wasm with SIMD) and the base profile.
    expect(fast).toMatchObject({ platform: 'linux-x64', simd: true, backends: ['wasm', 'cpu'], memory: { totalMb: 4096 } });
    expect(fast.memory.availableMb).toBeLessThanOrEqual(4096);
    const nano = await loadDeviceProfile('jetson-nano');
    expect(fast.network).toEqual(nano.network);
    expect(fast.availability).toEqual(nano.availability);
    expect(output.stdout).toMatch(/fast-box\.yaml: speedFactor [\d.]+ from 2 cells, \d+\/4096 MB, wasm\+cpu/);
    const text = await readFile(join(out, 'fast-box.yaml'), 'utf8');
    expect(text).toContain(`# Derived by \`sparsefleet sim profile from-campaign ${campaign.id}\``);
  });

  it('per device model, and --json', async () => {
    const out = join(dir, 'by-model');
    const output = new BufferedOutput();
    const context = createOperatorContext(test.coordinator.url, test.apiKey, output);
    expect(await runSimProfileFromCampaign(context, campaign.id, { out, groupBy: 'model', base: 'laptop', json: true })).toBe(0);
    const listed = JSON.parse(output.stdout) as { file: string; deviceIds: string[]; profile: { name: string } }[];
    expect(listed.map((entry) => entry.profile.name).sort()).toEqual(['fast-box', 'slow-box']);
    expect(listed.every((entry) => entry.deviceIds.length === 1)).toBe(true);
  });

  it('refuses an unknown base profile as a usage error', async () => {
    const context = createOperatorContext(test.coordinator.url, test.apiKey, new BufferedOutput());
    await expect(runSimProfileFromCampaign(context, campaign.id, { out: dir, groupBy: 'device', base: 'toaster' })).rejects.toBeInstanceOf(UsageError);
  });
});

function result(overrides: Partial<CampaignResultForProfiles> & { p50: number; cellId: string }): CampaignResultForProfiles {
  return {
    cellId: overrides.cellId,
    deviceId: overrides.deviceId ?? 'd1',
    valid: overrides.valid ?? true,
    benchmark: {
      latencyMs: [{ percentile: 50, value: overrides.p50 }],
      threads: 1,
      gflops: 10,
      start: { freeMemoryBytes: 1024 * 1024 * 1024 },
      drift: [],
      ...(overrides.benchmark ?? {}),
    },
    device: {
      displayName: 'Board One',
      platform: 'linux',
      arch: 'arm64',
      cpuModel: 'Cortex-A72',
      deviceModel: 'Raspberry Pi 4 Model B Rev 1.4',
      memoryBytes: 4 * 1024 ** 3,
      chosenBackend: 'wasm',
      wasmSimd: true,
      ...(overrides.device ?? {}),
    },
  };
}

function campaignOf(results: CampaignResultForProfiles[], measure = 'training-step'): CampaignForProfiles {
  return {
    id: 'c1',
    name: 'recorded',
    measure,
    spec: { base: { data: { name: 'fashion-mnist' } } },
    cells: [
      { id: 'cnn-01', params: { model: 'cnn', scheme: 'irregular', density: 0.1, batchSize: 64 } },
      { id: 'cnn-dense', params: { model: 'cnn', scheme: 'irregular', density: 1, batchSize: 64 } },
    ],
    results,
  };
}

describe('profilesFromCampaign', () => {
  it('keys dense cells as model/dense/1, takes free memory from the results and names profiles after the device', async () => {
    const base = await loadDeviceProfile('raspberry-pi-4');
    const [derived] = profilesFromCampaign(campaignOf([result({ cellId: 'cnn-01', p50: 35.68 }), result({ cellId: 'cnn-dense', p50: 347.86 })]), { groupBy: 'device', base });
    expect(derived.profile.name).toBe('board-one');
    expect(derived.profile.compute.stepMs).toEqual({ 'cnn/irregular/0.1/b64': 35.68, 'cnn/dense/1/b64': 347.86 });
    expect(derived.profile.compute.speedFactor).toBeCloseTo(0.5, 3); // exactly twice the reference's 17.84 and 173.93
    expect(derived.worstFitError).toBeCloseTo(0, 6);
    expect(derived.profile.memory).toEqual({ totalMb: 4096, availableMb: 1024 });
    expect(derived.profile.thermal).toEqual(base.thermal);
  });

  it('derives thermal throttling from the sustained phase\'s drift', async () => {
    const base = await loadDeviceProfile('laptop');
    const drift = [
      { offsetMs: 0, medianMs: 10 },
      { offsetMs: 60_000, medianMs: 10.2 },
      { offsetMs: 120_000, medianMs: 14 },
      { offsetMs: 180_000, medianMs: 16 },
    ];
    const withDrift = result({ cellId: 'cnn-01', p50: 20, benchmark: { latencyMs: [{ percentile: 50, value: 20 }], threads: 1, gflops: 10, drift } });
    const [derived] = profilesFromCampaign(campaignOf([withDrift]), { groupBy: 'model', base });
    expect(derived.profile.thermal).toEqual({ throttleAfterMinutes: 2, throttleFactor: 1.5 });
    expect(derived.profile.name).toBe('raspberry-pi-4-model-b-rev-1.4');
  });

  it('skips invalid results and refuses campaigns without usable ones or of another measure', async () => {
    const base = await loadDeviceProfile('laptop');
    expect(() => profilesFromCampaign(campaignOf([result({ cellId: 'cnn-01', p50: 20, valid: false })]), { groupBy: 'device', base })).toThrow(CampaignProfileError);
    expect(() => profilesFromCampaign(campaignOf([result({ cellId: 'cnn-01', p50: 20 })], 'training-run'), { groupBy: 'device', base })).toThrow(
      /measures training-run; profiles need a training-step or kernel campaign/,
    );
  });

  it('fits a kernel campaign\'s speed factor from GFLOP/s against the reference kernel rates', async () => {
    const base = await loadDeviceProfile('laptop');
    const kernelCampaign: CampaignForProfiles = {
      id: 'k1',
      name: 'kernels',
      measure: 'kernel',
      spec: {},
      cells: [
        { id: 'lf-irr', params: { op: 'linear-forward', scheme: 'irregular', density: 0.1 } },
        { id: 'cf-blk', params: { op: 'conv-forward', scheme: 'block', density: 0.1 } },
      ],
      results: [
        // Half the reference rate (linear-forward irregular 28 GF/s), then an eighth (conv-forward block 36.5 GF/s).
        result({ cellId: 'lf-irr', p50: 1, benchmark: { latencyMs: [{ percentile: 50, value: 1 }], threads: 1, gflops: 14, drift: [] } }),
        result({ cellId: 'cf-blk', p50: 1, benchmark: { latencyMs: [{ percentile: 50, value: 1 }], threads: 1, gflops: 36.5 / 8, drift: [] } }),
      ],
    };
    const [derived] = profilesFromCampaign(kernelCampaign, { groupBy: 'device', base });
    expect(derived.profile.compute).toEqual({ speedFactor: 0.25 }); // the geometric mean of 1/2 and 1/8
    expect(derived.cells).toBe(2);
    expect(derived.worstFitError).toBeCloseTo(1, 6); // each cell is 2x off the fitted factor
  });

  it('writes profiles that parse back, and the fitted factor reproduces the reference', async () => {
    const base = await loadDeviceProfile('laptop');
    const measured = referenceStepMs({ model: 'cnn', scheme: 'irregular', density: 0.1, batchSize: 64 }) / 3;
    const [derived] = profilesFromCampaign(campaignOf([result({ cellId: 'cnn-01', p50: measured })]), { groupBy: 'device', base });
    expect(derived.profile.compute.speedFactor).toBeCloseTo(3, 3);
    const { formatDeviceProfile } = await import('../../../client/src/sim/profiles/index.js');
    expect(parseDeviceProfile(formatDeviceProfile(derived.profile, ['a comment']), 'x.yaml')).toEqual(derived.profile);
  });
});
