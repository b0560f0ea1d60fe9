// Learnable synthetic data: each class has a fixed random template, each example is its class template plus
// Gaussian noise. Every example is a pure function of (seed, split, id), so a subset or shard of a synthetic set
// holds exactly the examples the full set would, and train/test share templates (the test set is learnable too).
import type { InputShape } from '../models/catalog.js';
import { createRng, type Rng } from '../util/rng.js';
import { materialize, type RawSplit } from './source.js';
import { exampleLength, type Dataset, type DatasetName } from './types.js';

export interface SyntheticDatasetOptions {
  readonly inputShape: InputShape;
  readonly numClasses: number;
  readonly size: number;
  readonly seed: number;
  /** Ids are `idOffset + index` (default 0). */
  readonly idOffset?: number;
  /** Draws different noise and labels for the same ids; templates are shared (default 'train'). */
  readonly split?: 'train' | 'test';
  /** Standard deviation of the per-value noise around templates in [0, 1) (default 0.5). */
  readonly noise?: number;
  /** Reported name; a fallback for missing files keeps the requested name (default 'synthetic'). */
  readonly name?: DatasetName;
}

const DEFAULT_NOISE = 0.5;

export function syntheticDataset(options: SyntheticDatasetOptions): Dataset {
  const raw = syntheticSource(options, options.size);
  const positions = new Uint32Array(options.size);
  for (let i = 0; i < options.size; i++) positions[i] = i;
  return materialize(raw, positions, {
    name: options.name ?? 'synthetic',
    synthetic: true,
    numClasses: options.numClasses,
  });
}

/** A synthetic source of `count` examples with ids `idOffset..idOffset+count-1`; pixels are generated on demand. */
export function syntheticSource(
  options: Pick<SyntheticDatasetOptions, 'inputShape' | 'numClasses' | 'seed' | 'split' | 'noise' | 'idOffset'>,
  count: number,
): RawSplit {
  validate(options.inputShape, options.numClasses, count);
  const length = exampleLength(options.inputShape);
  const root = createRng(options.seed).derive('synthetic');
  const templates = classTemplates(root.derive('templates'), options.numClasses, length);
  const examples = root.derive(`examples/${options.split ?? 'train'}`);
  const noise = options.noise ?? DEFAULT_NOISE;
  const idOffset = options.idOffset ?? 0;
  const exampleRng = (position: number): Rng => examples.derive(idOffset + position);
  const labels = new Int32Array(count);
  for (let position = 0; position < count; position++) labels[position] = exampleRng(position).int(options.numClasses);
  return {
    count,
    inputShape: options.inputShape,
    idOffset,
    labels,
    writeExample(position, target, offset) {
      const rng = exampleRng(position);
      const label = rng.int(options.numClasses);
      const template = templates[label];
      for (let i = 0; i < length; i++) target[offset + i] = template[i] + noise * rng.normal();
    },
  };
}

function classTemplates(rng: Rng, numClasses: number, length: number): Float32Array[] {
  return Array.from({ length: numClasses }, (_, label) => {
    const classRng = rng.derive(label);
    const template = new Float32Array(length);
    for (let i = 0; i < length; i++) template[i] = classRng.next();
    return template;
  });
}

function validate(shape: InputShape, numClasses: number, count: number): void {
  for (const [key, value] of Object.entries({ ...shape, numClasses, size: count })) {
    if (!Number.isInteger(value) || value < (key === 'size' ? 0 : 1)) {
      throw new RangeError(`synthetic data: ${key} must be a ${key === 'size' ? 'non-negative' : 'positive'} integer, got ${value}`);
    }
  }
}
