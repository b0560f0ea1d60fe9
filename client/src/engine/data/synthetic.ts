// Learnable synthetic data with a ceiling below 100 %: each class has a fixed random template that is 3/4 one template
// common to all classes (overlapping classes), each example is its class template
// plus Gaussian noise, and a fraction of the labels (10 % by default) name another class than the one the pixels
// come from. So a perfect classifier reaches 1 − labelNoise, and models of less capacity (sparser ones) fall
// visibly short of it. Every example is a pure function of (seed, split, id), so a subset or shard of a synthetic set
// holds exactly the examples the full set would, and train/test share templates (the test set is learnable too).
// Examples are generated when a batch asks for them: a synthetic set holds its labels, ids and templates only, so
// ImageNet-shaped inputs (224×224×3, 1000 classes) for step-time benchmarks cost no memory per example.
import type { InputShape } from '../models/catalog.js';
import { createRng, type Rng } from '../util/rng.js';
import { datasetOf, type SyncRawSplit } from './source.js';
import { generatedStore } from './store.js';
import { DATASET_INFO, exampleLength, type Dataset, type DatasetName } from './types.js';

/** Named input shapes (with their usual class counts) for synthetic stand-ins of real data sets. */
export type SyntheticShapeName = 'fashion-mnist' | 'cifar10' | 'cifar100' | 'tiny-imagenet' | 'imagenet';

export const SYNTHETIC_SHAPES: Readonly<Record<SyntheticShapeName, { readonly inputShape: InputShape; readonly numClasses: number }>> = {
  'fashion-mnist': { inputShape: DATASET_INFO['fashion-mnist'].inputShape, numClasses: DATASET_INFO['fashion-mnist'].numClasses },
  cifar10: { inputShape: DATASET_INFO.cifar10.inputShape, numClasses: DATASET_INFO.cifar10.numClasses },
  cifar100: { inputShape: DATASET_INFO.cifar100.inputShape, numClasses: DATASET_INFO.cifar100.numClasses },
  'tiny-imagenet': { inputShape: DATASET_INFO['tiny-imagenet'].inputShape, numClasses: DATASET_INFO['tiny-imagenet'].numClasses },
  imagenet: { inputShape: DATASET_INFO['synthetic-imagenet'].inputShape, numClasses: DATASET_INFO['synthetic-imagenet'].numClasses },
};

export interface SyntheticDatasetOptions {
  /** A named shape; `inputShape` and `numClasses` override its parts (default shape: 'fashion-mnist'). */
  readonly shape?: SyntheticShapeName;
  readonly inputShape?: InputShape;
  readonly numClasses?: number;
  readonly size: number;
  readonly seed: number;
  /** Ids are `idOffset + index` (default 0). */
  readonly idOffset?: number;
  /** Draws different noise and labels for the same ids; templates are shared (default 'train'). */
  readonly split?: 'train' | 'test';
  /** Standard deviation of the per-value noise around templates in [0, 1) (default 0.5). */
  readonly noise?: number;
  /** Fraction of examples labelled with a class other than the one their pixels come from (default 0.1). */
  readonly labelNoise?: number;
  /**
   * Weight of the template all classes share in each class template, in [0, 1) (default 0.75: on the
   * Fashion-MNIST shape a dense MLP reaches ~0.8 in 3 epochs and RigL at d = 0.1 visibly less).
   */
  readonly overlap?: number;
  /**
   * Templates are drawn on a `templateSide × templateSide` grid per channel and each pixel takes its grid cell's
   * value. Default: full resolution (one value per pixel and channel) while the templates of all classes fit in
   * MAX_TEMPLATE_VALUES, else the finest grid that fits (ImageNet's 1000 × 224×224×3 would take 602 MB).
   */
  readonly templateSide?: number;
  /** Reported name; a fallback for missing files keeps the requested name (default 'synthetic'). */
  readonly name?: DatasetName;
}

const DEFAULT_NOISE = 0.5;
const DEFAULT_LABEL_NOISE = 0.1;
const DEFAULT_OVERLAP = 0.75;
/** 4 Mi float32 values = 16 MiB of templates at most by default. */
export const MAX_TEMPLATE_VALUES = 1 << 22;

/** The input shape and class count that `options` describe. */
export function resolveSyntheticShape(
  options: Pick<SyntheticDatasetOptions, 'shape' | 'inputShape' | 'numClasses'>,
): { inputShape: InputShape; numClasses: number } {
  const preset = SYNTHETIC_SHAPES[options.shape ?? 'fashion-mnist'];
  if (preset === undefined) {
    throw new RangeError(`unknown synthetic shape '${options.shape}' (known: ${Object.keys(SYNTHETIC_SHAPES).join(', ')})`);
  }
  return { inputShape: options.inputShape ?? preset.inputShape, numClasses: options.numClasses ?? preset.numClasses };
}

export function syntheticDataset(options: SyntheticDatasetOptions): Dataset {
  const raw = syntheticSource(options, options.size);
  const positions = new Uint32Array(options.size);
  for (let i = 0; i < options.size; i++) positions[i] = i;
  const { numClasses } = resolveSyntheticShape(options);
  return datasetOf(raw, positions, raw.select(positions), {
    name: options.name ?? 'synthetic',
    synthetic: true,
    numClasses,
  });
}

/** A synthetic source of `count` examples with ids `idOffset..idOffset+count-1`; pixels are generated on demand. */
export function syntheticSource(
  options: Pick<
    SyntheticDatasetOptions,
    'shape' | 'inputShape' | 'numClasses' | 'seed' | 'split' | 'noise' | 'idOffset' | 'templateSide' | 'labelNoise' | 'overlap'
  >,
  count: number,
): SyncRawSplit {
  const { inputShape, numClasses } = resolveSyntheticShape(options);
  validate(inputShape, numClasses, count);
  const length = exampleLength(inputShape);
  const root = createRng(options.seed).derive('synthetic');
  const grid = templateGrid(inputShape, numClasses, options.templateSide);
  const overlap = fraction(options.overlap ?? DEFAULT_OVERLAP, 'overlap');
  const labelNoise = fraction(options.labelNoise ?? DEFAULT_LABEL_NOISE, 'labelNoise');
  const templates = classTemplates(root.derive('templates'), numClasses, grid ? grid.values : length, overlap);
  const examples = root.derive(`examples/${options.split ?? 'train'}`);
  const noise = options.noise ?? DEFAULT_NOISE;
  const idOffset = options.idOffset ?? 0;
  const exampleRng = (position: number): Rng => examples.derive(idOffset + position);
  const labels = new Int32Array(count);
  for (let position = 0; position < count; position++) labels[position] = drawClasses(exampleRng(position), numClasses, labelNoise).label;
  const generate = (position: number, target: Float32Array, offset: number): void => {
    const rng = exampleRng(position);
    const template = templates[drawClasses(rng, numClasses, labelNoise).source];
    if (grid) {
      const cell = grid.cellOf;
      for (let i = 0; i < length; i++) target[offset + i] = template[cell[i]] + noise * rng.normal();
    } else {
      for (let i = 0; i < length; i++) target[offset + i] = template[i] + noise * rng.normal();
    }
  };
  return {
    count,
    inputShape,
    idOffset,
    labels,
    select: (positions) => generatedStore(count, length, generate).select(positions),
  };
}

interface TemplateGrid {
  /** Template values per class: side × side × channels. */
  readonly values: number;
  /** For each NHWC value index of an example, its index in the template. */
  readonly cellOf: Uint32Array;
}

/** undefined = full-resolution templates. */
function templateGrid(shape: InputShape, numClasses: number, requestedSide: number | undefined): TemplateGrid | undefined {
  const { height, width, channels } = shape;
  let side = requestedSide;
  if (side === undefined) {
    if (numClasses * height * width * channels <= MAX_TEMPLATE_VALUES) return undefined;
    side = Math.max(1, Math.floor(Math.sqrt(MAX_TEMPLATE_VALUES / (numClasses * channels))));
  }
  if (!Number.isInteger(side) || side < 1) throw new RangeError(`synthetic data: templateSide must be a positive integer, got ${side}`);
  const rows = Math.min(side, height);
  const cols = Math.min(side, width);
  if (rows === height && cols === width) return undefined;
  const cellOf = new Uint32Array(height * width * channels);
  for (let y = 0; y < height; y++) {
    const row = Math.floor((y * rows) / height);
    for (let x = 0; x < width; x++) {
      const col = Math.floor((x * cols) / width);
      for (let c = 0; c < channels; c++) cellOf[(y * width + x) * channels + c] = (row * cols + col) * channels + c;
    }
  }
  return { values: rows * cols * channels, cellOf };
}

/**
 * The class an example's pixels come from and the label it carries (another class with probability `labelNoise`).
 * Drawn first from the example's own generator, so labels and pixels agree however the example is reached.
 */
function drawClasses(rng: Rng, numClasses: number, labelNoise: number): { source: number; label: number } {
  const source = rng.int(numClasses);
  if (numClasses < 2 || !(rng.next() < labelNoise)) return { source, label: source };
  return { source, label: (source + 1 + rng.int(numClasses - 1)) % numClasses };
}

/** Per class: `overlap` × the shared template + (1 − overlap) × the class's own. */
function classTemplates(rng: Rng, numClasses: number, length: number, overlap: number): Float32Array[] {
  const sharedRng = rng.derive('shared');
  const shared = new Float32Array(length);
  for (let i = 0; i < length; i++) shared[i] = sharedRng.next();
  return Array.from({ length: numClasses }, (_, label) => {
    const classRng = rng.derive(label);
    const template = new Float32Array(length);
    for (let i = 0; i < length; i++) template[i] = overlap * shared[i] + (1 - overlap) * classRng.next();
    return template;
  });
}

function fraction(value: number, name: string): number {
  if (!(value >= 0 && value < 1)) throw new RangeError(`synthetic data: ${name} must be in [0, 1), got ${value}`);
  return value;
}

function validate(shape: InputShape, numClasses: number, count: number): void {
  for (const [key, value] of Object.entries({ ...shape, numClasses, size: count })) {
    if (!Number.isInteger(value) || value < (key === 'size' ? 0 : 1)) {
      throw new RangeError(`synthetic data: ${key} must be a ${key === 'size' ? 'non-negative' : 'positive'} integer, got ${value}`);
    }
  }
}
