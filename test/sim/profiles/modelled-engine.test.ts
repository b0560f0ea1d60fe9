import { describe, expect, it } from 'vitest';
import { readCheckpointPosition } from '../../../protocol/src/index.js';
import { parseTrainConfig, trainConfigToJobSpec, type TrainConfig } from '../../../client/src/engine/spec.js';
import type { TrainProgress } from '../../../client/src/engine/train/types.js';
import type { CheckpointInfo } from '../../../client/src/engine/train/checkpointing.js';
import {
  createModelledEngine,
  ModelledOutOfMemoryError,
  parseDeviceProfile,
  type DeviceProfile,
  type ModelledEngineEvent,
} from '../../../client/src/sim/profiles/index.js';

const PROFILE = parseDeviceProfile(
  `
name: test-board
description: test
platform: linux-arm64
compute: { speedFactor: 0.5 }
memory: { totalMb: 4000, availableMb: 2000 }
backends: [wasm, cpu]
simd: true
threads: 1
network: { latencyMs: 1, jitterMs: 0, bandwidthKbps: 1000, lossRate: 0 }
availability: { sessionMinutes: { kind: fixed, value: 60 }, offlineMinutes: { kind: fixed, value: 5 } }
`,
  'test-board.yaml',
);

/** MLP on synthetic data: 1,280 examples at batch 128 = 10 steps an epoch. */
function shortJob(overrides: Record<string, unknown> = {}): TrainConfig {
  return parseTrainConfig({
    model: 'mlp',
    method: 'set',
    density: 0.1,
    batchSize: 128,
    epochs: 2,
    data: { name: 'synthetic', trainLimit: 1280 },
    ...overrides,
  });
}

interface Recorded {
  readonly progress: TrainProgress[];
  readonly checkpoints: { bytes: Uint8Array; info: CheckpointInfo }[];
  readonly events: ModelledEngineEvent[];
}

async function runJob(profile: DeviceProfile, config: TrainConfig, options: { resumeFrom?: Uint8Array; timeScale?: number; signal?: AbortSignal } = {}) {
  const recorded: Recorded = { progress: [], checkpoints: [], events: [] };
  const engine = createModelledEngine(profile, { timeScale: options.timeScale ?? 10_000, seed: 7, onEvent: (e) => recorded.events.push(e) });
  const result = await engine.run(
    config,
    { onProgress: (p) => recorded.progress.push(p), progressEverySteps: 5, ...(options.signal ? { signal: options.signal } : {}) },
    {
      checkpoint: { everySteps: 5, onCheckpoint: (bytes, info) => void recorded.checkpoints.push({ bytes, info }) },
      ...(options.resumeFrom ? { resumeFrom: options.resumeFrom } : {}),
    },
  );
  return { result, ...recorded };
}

describe('modelled engine', () => {
  it('runs a short job: progress, checkpoints where the agent asks, a simulated result', async () => {
    const { result, progress, checkpoints, events } = await runJob(PROFILE, shortJob());
    expect(result.simulated).toBe(true);
    expect(result.steps).toBe(20);
    expect(result.epochs).toBe(2);
    expect(result.examplesSeen).toBe(20 * 128);
    expect(result.history.map((epoch) => epoch.epoch)).toEqual([0, 1]);
    expect(result.compute).toBe('sparse-kernels');
    expect(progress[0]).toMatchObject({ phase: 'loading', step: 0, totalSteps: 20 });
    expect(progress.filter((p) => p.phase === 'training').map((p) => p.step)).toEqual([5, 10, 15, 20]);
    expect(progress.filter((p) => p.phase === 'evaluating').map((p) => p.testAccuracy !== undefined)).toEqual([true, true]);
    // Every 5 steps (not on an epoch's last batch), plus the end of epoch 0; none once the run is over.
    expect(checkpoints.map((c) => c.info)).toEqual([
      { step: 5, epoch: 0, stepInEpoch: 5 },
      { step: 10, epoch: 1, stepInEpoch: 0 },
      { step: 15, epoch: 1, stepInEpoch: 5 },
    ]);
    // The coordinator reads the position from the bytes themselves.
    const bytes = checkpoints[2].bytes;
    await expect(readCheckpointPosition(async (offset, length) => bytes.subarray(offset, offset + length), bytes.length)).resolves.toEqual({ step: 15, epoch: 1 });
    expect(events.map((e) => e.kind)).toEqual(['run-started', 'checkpoint', 'checkpoint', 'checkpoint', 'run-finished']);
  });

  it('the curve learns: loss falls and accuracy rises over the run', async () => {
    const { progress } = await runJob(PROFILE, shortJob({ epochs: 6 }));
    const training = progress.filter((p) => p.phase === 'training');
    expect(training.at(-1)!.loss).toBeLessThan(training[0].loss);
    expect(training.at(-1)!.trainAccuracy).toBeGreaterThan(training[0].trainAccuracy);
    expect(training.at(-1)!.trainAccuracy).toBeGreaterThan(0.5);
  });

  it('resumes from its checkpoint and continues where it stopped', async () => {
    const first = await runJob(PROFILE, shortJob());
    const resumed = await runJob(PROFILE, shortJob(), { resumeFrom: first.checkpoints[2].bytes });
    expect(resumed.progress[0]).toMatchObject({ phase: 'loading', step: 15 });
    expect(resumed.progress.filter((p) => p.phase === 'training').map((p) => p.step)).toEqual([20]);
    expect(resumed.result.steps).toBe(20);
    expect(resumed.result.examplesSeen).toBe(20 * 128);
    // The curve is a function of the step: the same final point as the uninterrupted run.
    expect(resumed.result.testAccuracy).toBe(first.result.testAccuracy);
    expect(resumed.events[0]).toMatchObject({ kind: 'run-started', fromStep: 15 });
  });

  it('refuses a checkpoint made for another config', async () => {
    const first = await runJob(PROFILE, shortJob());
    await expect(runJob(PROFILE, shortJob({ seed: 2 }), { resumeFrom: first.checkpoints[0].bytes })).rejects.toThrow(/different training config/);
  });

  it('fails a job beyond the profile\'s available memory like an out-of-memory crash', async () => {
    const tiny: DeviceProfile = { ...PROFILE, memory: { totalMb: 64, availableMb: 1 } };
    const events: ModelledEngineEvent[] = [];
    const engine = createModelledEngine(tiny, { timeScale: 1000, seed: 1, onEvent: (e) => events.push(e) });
    const error = await engine.run(shortJob(), {}).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(ModelledOutOfMemoryError);
    expect((error as Error).message).toMatch(/^out of memory \(simulated test-board\): the job needs about \d+ MB, 1 MB available$/);
    expect(events).toEqual([{ kind: 'out-of-memory', requiredMb: (error as ModelledOutOfMemoryError).requiredMb, availableMb: 1 }]);
  });

  it('a 10 s modelled job at timeScale 100 reports 10 s of device time (about 0.1 s of wall time)', async () => {
    // 100 steps of 100 ms each (a measured step time, with ±10 % jitter per step).
    const measured: DeviceProfile = { ...PROFILE, compute: { speedFactor: 1, stepMs: { 'mlp/irregular/0.1/b128': 100 } } };
    const { result, events } = await runJob(measured, shortJob({ epochs: 1, data: { name: 'fashion-mnist', trainLimit: 12_800 } }), { timeScale: 100 });
    const finished = events.find((e) => e.kind === 'run-finished');
    expect(result.steps).toBe(100);
    expect(finished).toMatchObject({ steps: 100, modelledMs: result.wallMs });
    expect(result.wallMs).toBeGreaterThan(9_500);
    expect(result.wallMs).toBeLessThan(10_500);
    expect(result.stepMsP50).toBeGreaterThan(85);
    expect(result.stepMsP50).toBeLessThan(115);
  });

  it('throttles once the device has trained past its thermal limit', async () => {
    // mlp/irregular/0.1/b128 takes 1.82 / 0.5 = 3.64 ms here; throttle after 36 ms of training = ~10 steps.
    const hot: DeviceProfile = { ...PROFILE, thermal: { throttleAfterMinutes: 36 / 60_000, throttleFactor: 3 } };
    const { events, result } = await runJob(hot, shortJob({ epochs: 4 }));
    const throttled = events.filter((e) => e.kind === 'throttled');
    expect(throttled).toHaveLength(1);
    expect(throttled[0]).toMatchObject({ factor: 3 });
    expect((throttled[0] as { step: number }).step).toBeGreaterThan(5);
    expect((throttled[0] as { step: number }).step).toBeLessThan(15);
    // Most of the 40 steps ran throttled: the median step is about 3 × 3.64 ms.
    expect(result.stepMsP50).toBeGreaterThan(9);
  });

  it('takes the run length from the data set, its limit, the shard and maxSteps', async () => {
    const sharded = await runJob(PROFILE, shortJob({ epochs: 1, data: { name: 'synthetic', trainLimit: 1280, shardIndex: 1, shardCount: 2 } }));
    expect(sharded.result.steps).toBe(5);
    const capped = await runJob(PROFILE, shortJob({ maxSteps: 7 }));
    expect(capped.result.steps).toBe(7);
    const fashion = createModelledEngine(PROFILE, { timeScale: 1e9, seed: 1 });
    const full = await fashion.run(parseTrainConfig({ model: 'mlp', batchSize: 6000, epochs: 1 }), {});
    expect(full.steps).toBe(10); // Fashion-MNIST: 60,000 training examples
  });

  it('stops when the agent aborts', async () => {
    const controller = new AbortController();
    const slow: DeviceProfile = { ...PROFILE, compute: { speedFactor: 1, stepMs: { 'mlp/irregular/0.1/b128': 1000 } } };
    const run = runJob(slow, shortJob(), { timeScale: 10, signal: controller.signal });
    setTimeout(() => controller.abort(new Error('revoked')), 20);
    await expect(run).rejects.toThrow('revoked');
  });

  it('validates job specs with the real schema and offers the profile\'s backends', async () => {
    const engine = createModelledEngine(PROFILE, { timeScale: 100, seed: 1 });
    const spec = trainConfigToJobSpec(shortJob());
    expect(engine.toConfig(spec).model).toBe('mlp');
    expect(() => engine.toConfig({ ...spec, model: 'gpt-5' })).toThrow(/model: must be one of/);
    await expect(engine.initBackend()).resolves.toEqual({ name: 'wasm', simd: true, threads: 1, available: ['wasm', 'cpu'] });
    await expect(engine.initBackend('cpu')).resolves.toMatchObject({ name: 'cpu' });
    await expect(engine.initBackend('tensorflow')).resolves.toMatchObject({ name: 'wasm' });
    await expect(engine.initBackend('webgpu')).rejects.toThrow(/unknown backend/);
  });
});
