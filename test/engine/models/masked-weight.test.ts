import * as tf from '@tensorflow/tfjs';
import { afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { initBackend } from '../../../client/src/engine/backend/init.js';
import { buildModel } from '../../../client/src/engine/models/builders.js';
import { MaskedWeight } from '../../../client/src/engine/models/masked-weight.js';
import type { Model } from '../../../client/src/engine/models/model.js';
import { parseTrainConfig } from '../../../client/src/engine/train/config.js';
import { createOptimizer, type Optimizer } from '../../../client/src/engine/train/optimizers/index.js';
import { Stepper } from '../../../client/src/engine/train/step.js';

describe(MaskedWeight.name, () => {
  let model: Model;
  let optimizer: Optimizer;
  let stepper: Stepper;
  let sut: MaskedWeight;

  const step = (needsDenseGradient = false) =>
    tf.tidy(() => {
      const x = tf.randomNormal([8, 2, 2, 1], 0, 1, 'float32', 11) as tf.Tensor4D;
      const y = tf.tensor1d([0, 1, 2, 3, 4, 5, 6, 7], 'int32');
      stepper.run({ x, y }, { lr: 0.1, needsDenseGradient, masksGradients: false });
    });

  beforeAll(async () => {
    await initBackend('wasm');
  });

  beforeEach(() => {
    model = buildModel({ model: 'mlp', input: { height: 2, width: 2, channels: 1 }, numClasses: 10, seed: 1 });
    optimizer = createOptimizer(parseTrainConfig({ optimizer: { weightDecay: 0 } }).optimizer, model.parameters);
    for (const weight of model.maskedWeights) weight.attachOptimizer(optimizer);
    stepper = new Stepper(model, optimizer);
    sut = model.maskedWeights[2]; // fc3: 10 x 100
  });

  afterEach(() => {
    optimizer.dispose();
    model.dispose();
  });

  it('should keep pruned weights and their slots at exactly 0 across optimizer steps', () => {
    // Prepare
    step();
    const mask = new Uint8Array(sut.size).fill(1);
    for (let i = 0; i < mask.length; i += 3) mask[i] = 0;

    // Execute
    const change = sut.setMask(mask);
    for (let i = 0; i < 4; i++) step();

    // Assert
    expect(change).toEqual({ pruned: Math.ceil(sut.size / 3), grown: 0, active: sut.size - Math.ceil(sut.size / 3) });
    const weights = sut.readWeights();
    const momentum = sut.readMomentum() ?? new Float32Array();
    for (let i = 0; i < mask.length; i += 3) {
      expect(Math.abs(weights[i])).toBe(0);
      expect(Math.abs(momentum[i])).toBe(0);
    }
    expect(weights[1]).not.toBe(0);
    expect(sut.mask).toEqual(mask);
  });

  it('should start grown weights at 0 with reset slots and keep surviving ones', () => {
    // Prepare
    const sparse = new Uint8Array(sut.size);
    sparse.fill(1, 0, 500);
    sut.setMask(sparse);
    step();
    step();
    const before = sut.readWeights();
    const momentumBefore = sut.readMomentum() ?? new Float32Array();
    const regrown = Uint8Array.from(sparse);
    regrown.fill(1, 500, 600);
    regrown[0] = 0;

    // Execute
    const change = sut.setMask(regrown);

    // Assert
    expect(change).toEqual({ pruned: 1, grown: 100, active: 599 });
    const after = sut.readWeights();
    const momentum = sut.readMomentum() ?? new Float32Array();
    for (let i = 500; i < 600; i++) {
      expect(Math.abs(after[i])).toBe(0);
      expect(Math.abs(momentum[i])).toBe(0);
    }
    expect(Math.abs(after[0])).toBe(0);
    expect(after[1]).toBe(before[1]);
    expect(momentum[1]).toBe(momentumBefore[1]);
    step();
    expect(sut.readWeights().slice(500, 600).some((w) => w !== 0)).toBe(true);
  });

  it('should expose the dense gradient only after steps that asked for it', () => {
    // Prepare
    sut.setMask(new Uint8Array(sut.size).fill(1, 0, 10));

    // Execute
    step(true);
    const gradient = sut.readGradient();
    step(false);

    // Assert
    expect(gradient).toBeDefined();
    expect(gradient?.slice(10).some((g) => g !== 0)).toBe(true); // dense: inactive positions have gradients too
    expect(sut.readGradient()).toBeUndefined();
  });

  it('should write weights through the mask and gate output channels', () => {
    // Prepare
    const mask = new Uint8Array(sut.size).fill(1);
    mask[5] = 0;
    sut.setMask(mask);
    const weights = Float32Array.from({ length: sut.size }, (_, i) => i + 1);

    // Execute
    sut.writeWeights(weights);
    const gate = new Float32Array(10).fill(1);
    gate[3] = 0;
    sut.setOutputGate(gate);
    const gated = tf.tidy(() => Array.from(sut.effectiveWeight().dataSync()));
    sut.setOutputGate(null);

    // Assert
    const stored = sut.readWeights();
    expect(Math.abs(stored[5])).toBe(0);
    expect(stored[6]).toBe(7);
    // tf layout [in=100][out=10]: output channel 3 is column 3
    expect(gated.filter((_, k) => k % 10 === 3).every((v) => v === 0)).toBe(true);
    expect(gated[4]).toBe(stored[4 * 100]);
  });

  it('should reject masks of the wrong size or with values other than 0/1', () => {
    expect(() => sut.setMask(new Uint8Array(3))).toThrow(/mask has 3 entries/);
    expect(() => sut.setMask(new Uint8Array(sut.size).fill(2))).toThrow(/expected 0 or 1/);
  });
});
