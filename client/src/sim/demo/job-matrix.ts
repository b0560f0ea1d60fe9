// The demo's job matrix: small dense and sparse runs sized so that a few agents on a small machine finish in
// well under two minutes. Each entry is the REST submission body of POST /api/jobs.
import type { TrainConfigInput } from '../../engine/train/config.js';

export interface DemoJob {
  readonly name: string;
  readonly config: TrainConfigInput;
}

export interface DemoMatrixOptions {
  /** Smaller data and a step cap, for a smoke run in seconds. */
  readonly quick: boolean;
  readonly dataset: 'fashion-mnist' | 'cifar10' | 'synthetic';
  /** At least this many jobs are produced (one per agent), cycling through the matrix. */
  readonly count: number;
}

interface Variant {
  readonly label: string;
  readonly model: 'mlp' | 'cnn';
  readonly method: 'dense' | 'set' | 'rigl';
  readonly density?: number;
}

const VARIANTS: readonly Variant[] = [
  { label: 'mlp-dense', model: 'mlp', method: 'dense' },
  { label: 'cnn-dense', model: 'cnn', method: 'dense' },
  { label: 'mlp-rigl-10%', model: 'mlp', method: 'rigl', density: 0.1 },
  { label: 'mlp-set-20%', model: 'mlp', method: 'set', density: 0.2 },
];

export function demoJobMatrix(options: DemoMatrixOptions): DemoJob[] {
  const count = Math.max(options.count, 1);
  return Array.from({ length: count }, (_, index) => {
    const variant = VARIANTS[index % VARIANTS.length];
    const round = Math.floor(index / VARIANTS.length);
    const seed = 1 + index;
    return {
      name: round === 0 ? variant.label : `${variant.label}-${round + 1}`,
      config: {
        model: variant.model,
        method: variant.method,
        ...(variant.density === undefined ? {} : { density: variant.density }),
        data: sizing(variant, options),
        epochs: options.quick ? 1 : 2,
        batchSize: 64,
        seed,
        ...(options.quick ? { maxSteps: 30 } : {}),
        optimizer: { kind: 'sgd', lr: 0.05, momentum: 0.9 },
      },
    };
  });
}

function sizing(variant: Variant, options: DemoMatrixOptions): NonNullable<TrainConfigInput['data']> {
  if (options.quick) return { name: options.dataset, trainLimit: 2000, testLimit: 500 };
  // Convolutions cost far more per sample than the MLP on wasm: fewer samples keep the jobs comparable in time.
  const trainLimit = variant.model === 'cnn' ? 3000 : 6000;
  return { name: options.dataset, trainLimit, testLimit: 2000 };
}
