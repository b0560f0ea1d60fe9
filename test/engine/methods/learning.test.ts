// Per-method learning regression tests: every method trains the MLP on a small learnable task (./learning-task.ts)
// through the real trainer, on its seed's sparsity scheme, and must reach its accuracy threshold at its density,
// moving its topology if it is a dynamic method and keeping it if it is a static one. A change that stops a method
// learning (a broken update, gradient, mask or schedule) fails here in seconds instead of in a long benchmark.
//
// Thresholds: the test accuracy each method reached with training seeds 1–5 on this task (6 epochs, 2,048 examples,
// 10 classes, ceiling ≈ 0.95 from the 5 % label noise; chance 0.1), lowest of the five, minus a margin of about
// 0.04 (0.1 for MEST-EM, which varies most between seeds). Measured 2026-12-07, see the report of issue 17:
//   dense 0.943 · static 0.865 · set 0.910 · rigl 0.941 · itop 0.904 · gmp, gmp-uniform, granet, granet-uniform
//   0.942–0.943 · mest-em 0.650 (0.65–0.89) · mest-ems 0.895 · dsb, ssb 0.942 · vrpge 0.942.
// Checked once when the thresholds were set: with the learning rate at 1e-7 all 14 cases fail (0.08–0.16); with the
// trainer's calls of onEpochStart/afterStep skipped (topology frozen after the initial draw) the 10 dynamic methods
// other than VRPGE fail (no mask change, or dense at the end for GMP/GraNet), while dense, static and SSB pass.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { MethodName } from '../../../client/src/engine/sparse/methods/types.js';
import type { SchemeName } from '../../../client/src/engine/sparse/schemes/types.js';
import { parseTrainConfig } from '../../../client/src/engine/train/config.js';
import { runTraining } from '../../../client/src/engine/train/run.js';
import type { MaskEvent } from '../../../client/src/engine/train/types.js';
import { LEARNING_TASK, writeLearningTask } from './learning-task.js';

type Topology = 'dense' | 'static' | 'dynamic';

interface MethodCase {
  readonly method: MethodName;
  readonly scheme: SchemeName;
  readonly threshold: number;
  /** Highest overall density the run may end at. */
  readonly maxDensity: number;
  readonly topology: Topology;
}

const DENSITY = 0.1;
const SPARSE = { maxDensity: DENSITY + 0.005 };

const CASES: readonly MethodCase[] = [
  { method: 'dense', scheme: 'irregular', threshold: 0.9, maxDensity: 1, topology: 'dense' },
  { method: 'static', scheme: 'irregular', threshold: 0.82, ...SPARSE, topology: 'static' },
  { method: 'set', scheme: 'irregular', threshold: 0.87, ...SPARSE, topology: 'dynamic' },
  { method: 'rigl', scheme: 'irregular', threshold: 0.9, ...SPARSE, topology: 'dynamic' },
  { method: 'itop', scheme: 'irregular', threshold: 0.86, ...SPARSE, topology: 'dynamic' },
  { method: 'gmp', scheme: 'irregular', threshold: 0.9, ...SPARSE, topology: 'dynamic' },
  { method: 'gmp-uniform', scheme: 'irregular', threshold: 0.9, ...SPARSE, topology: 'dynamic' },
  { method: 'granet', scheme: 'irregular', threshold: 0.9, ...SPARSE, topology: 'dynamic' },
  { method: 'granet-uniform', scheme: 'irregular', threshold: 0.9, ...SPARSE, topology: 'dynamic' },
  { method: 'mest-em', scheme: 'irregular', threshold: 0.55, ...SPARSE, topology: 'dynamic' },
  { method: 'mest-ems', scheme: 'irregular', threshold: 0.85, ...SPARSE, topology: 'dynamic' },
  { method: 'dsb', scheme: 'shuffled-block', threshold: 0.9, ...SPARSE, topology: 'dynamic' },
  { method: 'ssb', scheme: 'shuffled-block', threshold: 0.9, ...SPARSE, topology: 'static' },
  // VRPGE's seed keeps half of the output channels (its default schedule); the rest are sampled off per step.
  { method: 'vrpge', scheme: 'channel', threshold: 0.9, maxDensity: 0.6, topology: 'dynamic' },
];

const EPOCHS = 6;
const BATCH_SIZE = 32;
const SEED = 1;

/** Positions whose mask differs between the first and the last snapshot of a run, over all layers. */
function maskChanges(first: MaskEvent, last: MaskEvent): number {
  let changed = 0;
  first.layers.forEach((layer, i) => {
    const after = last.layers[i].mask;
    for (let p = 0; p < layer.mask.length; p++) if (layer.mask[p] !== after[p]) changed += 1;
  });
  return changed;
}

describe('every method learns the small task at its density', () => {
  let dir = '';

  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), 'sparsefleet-learning-'));
    await writeLearningTask(dir, LEARNING_TASK);
  });

  afterAll(async () => {
    await rm(dir, { recursive: true, force: true });
  });

  it.each(CASES)('$method on $scheme reaches $threshold', async (testCase) => {
    // Prepare
    const config = parseTrainConfig({
      model: 'mlp',
      data: { name: 'fashion-mnist', path: dir },
      method: testCase.method,
      scheme: testCase.scheme,
      density: testCase.topology === 'dense' ? 1 : DENSITY,
      epochs: EPOCHS,
      batchSize: BATCH_SIZE,
      seed: SEED,
      ...(process.env.SABOTAGE_LR ? { optimizer: { lr: 1e-7 } } : {}),
    });
    const masks: MaskEvent[] = [];

    // Execute
    const result = await runTraining(config, { onMaskEvent: (event) => masks.push(event) });

    // Assert
    expect(result.syntheticData).toBe(false);
    expect(result.testAccuracy).toBeGreaterThanOrEqual(testCase.threshold);
    expect(result.finalDensity).toBeLessThanOrEqual(testCase.maxDensity);
    const moved = maskChanges(masks[0], masks[masks.length - 1]);
    if (testCase.topology === 'dynamic') expect(moved).toBeGreaterThan(0);
    else expect(moved).toBe(0);
  });
});
