// Test-set evaluation in inference mode (BatchNorm running statistics, no gradients).
import * as tf from '@tensorflow/tfjs';
import { batches, type Dataset } from '../data/index.js';
import type { Model } from '../models/model.js';
import { correctness, crossEntropy } from './loss.js';

export interface Evaluation {
  readonly loss: number;
  readonly accuracy: number;
  readonly examples: number;
}

export function evaluate(model: Model, dataset: Dataset, batchSize: number, signal?: AbortSignal): Evaluation {
  const { height, width, channels } = dataset.inputShape;
  let lossSum = 0;
  let correct = 0;
  let examples = 0;
  for (const batch of batches(dataset, { batchSize, epoch: 0, seed: 0 })) {
    signal?.throwIfAborted();
    const [loss, hits] = tf.tidy(() => {
      const x = tf.tensor4d(batch.x, [batch.size, height, width, channels]);
      const y = tf.tensor1d(batch.y, 'int32');
      const logits = model.forward(x, false);
      return [crossEntropy(logits, y).dataSync()[0], tf.sum(correctness(logits, y)).dataSync()[0]];
    });
    lossSum += loss * batch.size;
    correct += hits;
    examples += batch.size;
  }
  return { loss: examples === 0 ? 0 : lossSum / examples, accuracy: examples === 0 ? 0 : correct / examples, examples };
}
