// Minibatches for one epoch: a fresh permutation per (seed, epoch) of the examples not excluded, in batches of
// `batchSize` with the last partial batch kept (as MEST does). Iterating the plan twice yields the same batches.
// This is where stored examples (bytes for real data) become model-ready floats: one batch at a time.
import { createRng, shuffleInPlace } from '../util/rng.js';
import { augmentExample, drawCropFlip, padValuesFor } from './augment.js';
import { exampleLength, type Batch, type Dataset } from './types.js';

export interface BatchOptions {
  readonly batchSize: number;
  readonly epoch: number;
  readonly seed: number;
  /** CIFAR augmentation (pad 4, random crop, random horizontal flip), drawn per example from (seed, epoch). */
  readonly augment?: boolean;
  /** Example ids to leave out (e.g. MEST's removal set). */
  readonly excludeIds?: ReadonlySet<number>;
}

export interface BatchPlan extends Iterable<Batch> {
  /** Examples in this epoch after exclusions. */
  readonly numExamples: number;
  readonly numBatches: number;
}

export function batches(dataset: Dataset, options: BatchOptions): BatchPlan {
  const { batchSize, epoch, seed } = options;
  if (!Number.isInteger(batchSize) || batchSize < 1) throw new RangeError(`batchSize must be a positive integer, got ${batchSize}`);
  const order = epochOrder(dataset, options);
  const length = exampleLength(dataset.inputShape);
  const padValues = options.augment ? padValuesFor(dataset) : undefined;
  const numBatches = Math.ceil(order.length / batchSize);

  function* generate(): Generator<Batch> {
    const scratch = padValues ? new Float32Array(length) : undefined;
    const augmentRng = createRng(seed).derive(`augment/${epoch}`);
    for (let start = 0; start < order.length; start += batchSize) {
      const size = Math.min(batchSize, order.length - start);
      const x = new Float32Array(size * length);
      const y = new Int32Array(size);
      const ids = new Uint32Array(size);
      for (let i = 0; i < size; i++) {
        const index = order[start + i];
        if (padValues && scratch) {
          const draw = drawCropFlip(augmentRng);
          dataset.examples.write(index, scratch, 0);
          augmentExample(scratch, 0, x, i * length, dataset.inputShape, draw, padValues);
        } else {
          dataset.examples.write(index, x, i * length);
        }
        y[i] = dataset.labels[index];
        ids[i] = dataset.ids[index];
      }
      yield { x, y, ids, size };
    }
  }

  return { numExamples: order.length, numBatches, [Symbol.iterator]: generate };
}

/** Dataset indices (not ids) of this epoch's examples in presentation order. */
function epochOrder(dataset: Dataset, options: BatchOptions): Uint32Array {
  const exclude = options.excludeIds;
  let kept = 0;
  const order = new Uint32Array(dataset.size);
  for (let i = 0; i < dataset.size; i++) if (!exclude?.has(dataset.ids[i])) order[kept++] = i;
  return shuffleInPlace(order.subarray(0, kept), createRng(options.seed).derive(`shuffle/${options.epoch}`));
}
