// Bounded work per request (issue 20, item 5), against a live coordinator on loopback: a request that would
// expand its input is sized from the input's shape and refused before anything is expanded, and an allowed request
// at the cap is served in slices, so a connected device's heartbeats keep being answered while it runs.
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { CampaignService } from '../../server/src/campaigns/campaign.service.js';
import {
  MAX_CAMPAIGN_JOBS,
  campaignSizeOf,
  expandMatrix,
  iterateMatrix,
} from '../../server/src/campaigns/campaign-matrix.js';
import {
  CampaignSpecError,
  MAX_CAMPAIGN_BASE_WORK,
  MAX_CAMPAIGN_YAML_CHARS,
  parseCampaignSpec,
  type CampaignSpec,
} from '../../server/src/campaigns/campaign-spec.js';
import type { CampaignDto } from '../../server/src/api/dto/index.js';
import { MAX_PROFILE_CHARS } from '../../server/src/jobs/job-submission.js';
import { benchmarkDevice, type BenchmarkDevice } from '../server/campaigns/support/benchmark-device.js';
import { api, heartbeat, startTestCoordinator, type TestCoordinator } from '../server/support/coordinator-harness.js';
import { hugeCampaign, hugeCampaignYaml, kernelCampaignAtCap, range } from '../../bench/support/oversized-campaigns.js';

// The same module the coordinator's code imports, with the two ways of expanding a matrix watched.
vi.mock('../../server/src/campaigns/campaign-matrix.js', async (importOriginal) => {
  const actual = await importOriginal<typeof import('../../server/src/campaigns/campaign-matrix.js')>();
  return { ...actual, expandMatrix: vi.fn(actual.expandMatrix), iterateMatrix: vi.fn(actual.iterateMatrix) };
});

const HUGE = hugeCampaign('huge');
const HUGE_ISSUE = 'matrix: 300000 cells (op 3 × shape 100 × scheme 5 × density 200) exceed the limit of 5000 jobs per campaign';
const hugeYaml = () => hugeCampaignYaml(HUGE);

/** 10 shapes × 5 schemes × 100 densities = 5,000 kernel cells: exactly the cap with one device. */
function atTheCap(name: string) {
  return { ...kernelCampaignAtCap(name), devices: { count: 1 } };
}

interface Refusal {
  readonly issues: string[];
}

describe('bounded work per request', () => {
  let test: TestCoordinator;
  let device: BenchmarkDevice;
  const extraDevices: BenchmarkDevice[] = [];

  beforeAll(async () => {
    test = await startTestCoordinator();
    // Accepts the assignment it gets and keeps it (the campaigns below stay queued).
    device = await benchmarkDevice(test, 'bounded-dev', 'silent');
  });

  afterAll(async () => {
    for (const extra of extraDevices) extra.leave();
    device?.leave();
    await test?.stop();
  });

  function expansions(): number {
    return vi.mocked(expandMatrix).mock.calls.length + vi.mocked(iterateMatrix).mock.calls.length;
  }

  it('should size a matrix from its axis lengths without expanding it', () => {
    const size = campaignSizeOf(HUGE as unknown as CampaignSpec);

    expect(size.cells).toBe(300_000);
    expect(size.axes).toEqual([
      { axis: 'op', length: 3 },
      { axis: 'shape', length: 100 },
      { axis: 'scheme', length: 5 },
      { axis: 'density', length: 200 },
    ]);
    const small = parseCampaignSpec({ ...atTheCap('small'), matrix: { ...atTheCap('small').matrix, density: [0.5, 0.1] } });
    expect(campaignSizeOf(small).cells).toBe(expandMatrix(small).length);
    expect([...iterateMatrix(small)]).toEqual(expandMatrix(small));
  });

  it('should refuse a 300,000-cell matrix in a small body with a 400 naming the size, before expanding it', async () => {
    // Prepare
    expect(JSON.stringify(HUGE).length).toBeLessThan(14 * 1024);
    vi.mocked(expandMatrix).mockClear();
    vi.mocked(iterateMatrix).mockClear();

    // Execute
    const asJson = await api<Refusal>(test, 'POST', '/api/campaigns', HUGE);
    const asYaml = await api<Refusal>(test, 'POST', '/api/campaigns', { yaml: hugeYaml() });

    // Assert
    expect(asJson.status).toBe(400);
    expect(asJson.body.issues).toEqual([HUGE_ISSUE]);
    expect(asYaml.status).toBe(400);
    expect(asYaml.body.issues).toEqual([HUGE_ISSUE]);
    expect(expansions()).toBe(0);
    // The CLI validates files with the same parser: it refuses the matrix before expanding it too.
    expect(() => parseCampaignSpec(HUGE)).toThrow(CampaignSpecError);
    expect(expansions()).toBe(0);
  });

  it('should refuse cells × runs above the cap from the shape and the devices, before expanding', async () => {
    // Prepare: 1,000 cells on every one of 2 devices would pass; 3,000 cells × count 2 (spread) and 3,000 cells on
    // 2 devices (every) would not.
    extraDevices.push(await benchmarkDevice(test, 'bounded-dev-2', 'silent'));
    const cells3000 = { ...atTheCap('runs'), matrix: { ...atTheCap('runs').matrix, density: range(60, (i) => (i + 1) / 100) } };
    vi.mocked(expandMatrix).mockClear();
    vi.mocked(iterateMatrix).mockClear();

    // Execute
    const spread = await api<Refusal>(test, 'POST', '/api/campaigns', { ...cells3000, devices: { placement: 'spread', count: 2 } });
    const every = await api<Refusal>(test, 'POST', '/api/campaigns', { ...cells3000, devices: { placement: 'every' } });

    // Assert
    expect(spread.status).toBe(400);
    expect(spread.body.issues).toEqual([
      'matrix: 3000 cells (shape 10 × scheme 5 × density 60) × 2 runs per cell (devices.count) = 6000 jobs exceed the limit of 5000 jobs per campaign',
    ]);
    expect(every.status).toBe(400);
    expect(every.body.issues).toEqual([
      'matrix: 3000 cells (shape 10 × scheme 5 × density 60) × 2 devices (placement every) = 6000 jobs exceed the limit of 5000 jobs per campaign',
    ]);
    expect(expansions()).toBe(0);
    extraDevices.pop()!.leave();
  });

  it('should bound YAML bodies: their length before parsing, and aliases while parsing', async () => {
    // Prepare: a spec padded past the limit with a comment; a "billion laughs" document (10^6 strings via aliases).
    const long = `${hugeYaml()}#${'x'.repeat(MAX_CAMPAIGN_YAML_CHARS)}\n`;
    const laughs = [
      'a: &a [lol, lol, lol, lol, lol, lol, lol, lol, lol, lol]',
      ...['b', 'c', 'd', 'e', 'f'].map((key, i) => `${key}: &${key} [${range(10, () => `*${'abcde'[i]}`).join(', ')}]`),
      'name: laughs',
      'measure: kernel',
      'matrix: { op: linear-forward, shape: [[8, 16, 16]], density: 0.5, backend: *f }',
    ].join('\n');

    // Execute
    const tooLong = await api<Refusal>(test, 'POST', '/api/campaigns', { yaml: long });
    const bomb = await api<Refusal>(test, 'POST', '/api/campaigns', { yaml: laughs });

    // Assert
    expect(tooLong.status).toBe(400);
    expect(tooLong.body.issues).toEqual([`(yaml): ${long.length} characters exceed the limit of ${MAX_CAMPAIGN_YAML_CHARS}`]);
    expect(bomb.status).toBe(400);
    expect(bomb.body.issues).toEqual([expect.stringMatching(/^\(yaml\): .*alias/i)]);
  });

  it('should refuse a training campaign whose cells × base exceed the parsing budget, before expanding', async () => {
    // Prepare: 4 methods × 25 densities × 50 batch sizes = 5,000 cells (allowed), each parsing a ~2.4 KB base.
    const profile = `prune_ratios:\n${range(100, (i) => `  layer${i}.weight: 0.9\n`).join('')}`;
    const spec = {
      name: 'base work',
      measure: 'training-step',
      matrix: { model: 'mlp', method: ['static', 'set', 'rigl', 'itop'], density: range(25, (i) => (i + 1) / 100), batchSize: range(50, (i) => 8 + i) },
      base: { allocation: 'profile', profile },
      devices: { placement: 'spread' },
    };
    const chars = JSON.stringify(spec.base).length;
    vi.mocked(expandMatrix).mockClear();
    vi.mocked(iterateMatrix).mockClear();

    // Execute
    const reply = await api<Refusal>(test, 'POST', '/api/campaigns', spec);

    // Assert
    expect(chars * 5000).toBeGreaterThan(MAX_CAMPAIGN_BASE_WORK);
    expect(reply.status).toBe(400);
    expect(reply.body.issues).toEqual([
      `base: ${chars} characters × 5000 cells = ${chars * 5000} exceed the limit of ${MAX_CAMPAIGN_BASE_WORK} (every cell parses it)`,
    ]);
    expect(expansions()).toBe(0);
  });

  it('should refuse a job whose profile is longer than the limit before estimating its memory', async () => {
    const profile = `prune_ratios:\n${'  fc1: 0.9\n'.repeat(Math.ceil(MAX_PROFILE_CHARS / 11) + 1)}`;

    const reply = await api<Refusal>(test, 'POST', '/api/jobs', { config: { model: 'mlp', method: 'static', allocation: 'profile', profile } });

    expect(reply.status).toBe(400);
    expect(reply.body.issues).toEqual([`config.profile: ${profile.length} characters exceed the limit of ${MAX_PROFILE_CHARS}`]);
  });

  // 5,000 jobs are written: on PostgreSQL under a loaded CI machine that alone can pass the default 60 s.
  it('should keep acking heartbeats while a campaign at the cap is being started (the start runs in slices)', { timeout: 180_000 }, async () => {
    // Prepare: count the heartbeat acks the device receives while CampaignService.start is still pending. Without
    // slices, the whole start runs in one turn of the event loop (SQLite calls are synchronous), so no ack can
    // arrive before it returns.
    const service = test.coordinator.app.get(CampaignService);
    const start = service.start.bind(service);
    let starting = false;
    let startCalls = 0;
    const spy = vi.spyOn(service, 'start').mockImplementation(async (...args) => {
      startCalls += 1;
      starting = true;
      try {
        return await start(...args);
      } finally {
        starting = false;
      }
    });
    let acksWhileStarting = 0;
    let acksOther = 0;
    const beat = setInterval(() => {
      void heartbeat(device.socket).then(
        () => (starting ? (acksWhileStarting += 1) : (acksOther += 1)),
        () => undefined,
      );
    }, 30);

    // Execute
    let started: { status: number; body: CampaignDto };
    try {
      started = await api<CampaignDto>(test, 'POST', '/api/campaigns', atTheCap('at the cap'));
    } finally {
      clearInterval(beat);
      spy.mockRestore();
    }

    // Assert
    expect(started.status).toBe(201);
    expect(startCalls).toBe(1);
    expect(started.body.cellCount).toBe(MAX_CAMPAIGN_JOBS);
    expect(started.body.counts.total).toBe(MAX_CAMPAIGN_JOBS);
    expect(started.body.cells).toHaveLength(MAX_CAMPAIGN_JOBS);
    expect(acksWhileStarting).toBeGreaterThan(0);
  });
});
