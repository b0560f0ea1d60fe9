// A small learnable task for the per-method learning tests: a Fashion-MNIST-like data set (IDX files, so the trainer
// reads it through the real Fashion-MNIST loader) of 12×12 images drawn from the synthetic generator's noisy class
// templates. Small enough that an MLP trains on it in a couple of seconds, hard enough (overlapping templates,
// per-pixel noise, label noise) that a model that stops learning stays far below the thresholds.
import { syntheticDataset, decodeExamples, type Dataset } from '../../../client/src/engine/data/index.js';
import { idxBytes, writeFashionDir } from '../data/fixtures.js';

export interface LearningTaskOptions {
  readonly side: number;
  readonly trainSize: number;
  readonly testSize: number;
  /** Standard deviation of the per-pixel noise around the class templates (templates lie in [0, 1)). */
  readonly noise: number;
  /** Weight of the template every class shares. */
  readonly overlap: number;
  /** Fraction of labels naming another class than the pixels' (the task's accuracy ceiling is 1 − labelNoise). */
  readonly labelNoise: number;
  readonly seed: number;
}

export const LEARNING_TASK: LearningTaskOptions = {
  side: 12,
  trainSize: 2048,
  testSize: 1000,
  noise: 0.3,
  overlap: 0.3,
  labelNoise: 0.05,
  seed: 17,
};

/** Writes the task's four gzipped IDX files into `dir`. */
export async function writeLearningTask(dir: string, options: LearningTaskOptions = LEARNING_TASK): Promise<void> {
  const split = (split: 'train' | 'test', size: number) =>
    syntheticDataset({
      inputShape: { height: options.side, width: options.side, channels: 1 },
      numClasses: 10,
      size,
      seed: options.seed,
      split,
      noise: options.noise,
      overlap: options.overlap,
      labelNoise: options.labelNoise,
    });
  const train = split('train', options.trainSize);
  const test = split('test', options.testSize);
  await writeFashionDir(dir, {
    trainImages: idxBytes([train.size, options.side, options.side], toBytes(train)),
    trainLabels: idxBytes([train.size], Uint8Array.from(train.labels)),
    testImages: idxBytes([test.size, options.side, options.side], toBytes(test)),
    testLabels: idxBytes([test.size], Uint8Array.from(test.labels)),
  });
}

/** Generated values (template in [0, 1) plus noise) mapped onto bytes: [-0.5, 1.5) → [0, 255], clipped. */
function toBytes(dataset: Dataset): Uint8Array {
  const values = decodeExamples(dataset.examples);
  return Uint8Array.from(values, (value) => Math.min(255, Math.max(0, Math.round(((value + 0.5) / 2) * 255))));
}
