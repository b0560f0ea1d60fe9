// How much memory a job's data sets take once loaded, from the data config alone (no files are read).
// Sizes of the real data sets are their published split sizes; synthetic sets follow data/load.ts's defaults.
import type { InputShape } from '../models/catalog.js';
import type { DatasetName } from '../data/types.js';

export interface DatasetFacts {
  readonly inputShape: InputShape;
  readonly numClasses: number;
  readonly trainSize: number;
  readonly testSize: number;
  /** Real files are read whole as uint8 before the job's subset is taken; synthetic data is generated per example. */
  readonly readsWholeFiles: boolean;
}

const DATASET_FACTS: Readonly<Record<DatasetName, DatasetFacts>> = {
  'fashion-mnist': {
    inputShape: { height: 28, width: 28, channels: 1 },
    numClasses: 10,
    trainSize: 60_000,
    testSize: 10_000,
    readsWholeFiles: true,
  },
  cifar10: {
    inputShape: { height: 32, width: 32, channels: 3 },
    numClasses: 10,
    trainSize: 50_000,
    testSize: 10_000,
    readsWholeFiles: true,
  },
  // data/load.ts: DEFAULT_SYNTHETIC_TRAIN_SIZE / DEFAULT_SYNTHETIC_TEST_SIZE, Fashion-MNIST's shape by default.
  synthetic: {
    inputShape: { height: 28, width: 28, channels: 1 },
    numClasses: 10,
    trainSize: 4096,
    testSize: 1024,
    readsWholeFiles: false,
  },
};

export function datasetFacts(name: DatasetName): DatasetFacts {
  return DATASET_FACTS[name];
}

export interface DatasetSelection {
  readonly name: DatasetName;
  readonly trainLimit?: number;
  readonly testLimit?: number;
  readonly shardCount?: number;
}

export interface DatasetFootprint {
  readonly trainExamples: number;
  readonly testExamples: number;
  readonly bytes: number;
}

/**
 * Examples kept × (float32 pixels + int32 label + uint32 id), plus, for real data sets, the whole uint8 files that
 * are read before the subset is taken (they are alive together at load time, which is the peak).
 */
export function datasetFootprint(selection: DatasetSelection, input: InputShape): DatasetFootprint {
  const facts = datasetFacts(selection.name);
  const synthetic = !facts.readsWholeFiles;
  const trainAvailable = synthetic ? (selection.trainLimit ?? facts.trainSize) : facts.trainSize;
  const testAvailable = synthetic ? (selection.testLimit ?? facts.testSize) : facts.testSize;
  const shards = Math.max(1, selection.shardCount ?? 1);
  const trainExamples = Math.ceil(Math.min(selection.trainLimit ?? trainAvailable, trainAvailable) / shards);
  const testExamples = Math.min(selection.testLimit ?? testAvailable, testAvailable);
  const exampleValues = input.height * input.width * input.channels;
  const loaded = (trainExamples + testExamples) * (exampleValues * 4 + 8);
  const raw = facts.readsWholeFiles ? (facts.trainSize + facts.testSize) * (exampleValues + 1) : 0;
  return { trainExamples, testExamples, bytes: loaded + raw };
}
