// How much memory a job's data sets take once loaded, from the data config alone (no files are read).
// Sizes of the real data sets are their published split sizes; synthetic sets follow data/load.ts's defaults.
import type { InputShape } from '../models/catalog.js';
import { DATASET_INFO, type DatasetName } from '../data/types.js';

export interface DatasetFacts {
  readonly inputShape: InputShape;
  readonly numClasses: number;
  readonly trainSize: number;
  readonly testSize: number;
  /** Real files are read whole as uint8 before the job's subset is taken (not Tiny-ImageNet: one JPEG at a time). */
  readonly readsWholeFiles: boolean;
  /** Bytes kept per example value once loaded: 1 for real data (uint8, normalised per batch), 0 for synthetic. */
  readonly bytesPerValue: number;
}

/** From data/types.ts's DATASET_INFO, the one table of data-set shapes and sizes. */
export function datasetFacts(name: DatasetName): DatasetFacts {
  const info = DATASET_INFO[name];
  return {
    inputShape: info.inputShape,
    numClasses: info.numClasses,
    trainSize: info.trainSize,
    testSize: info.testSize,
    readsWholeFiles: info.storage === 'bytes' && name !== 'tiny-imagenet',
    bytesPerValue: info.storage === 'bytes' ? 1 : 0,
  };
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
 * Examples kept × (uint8 pixels for real data, none for generated synthetic data + int32 label + uint32 id), plus,
 * for real data sets read whole, the uint8 files that are read before the subset is taken (they are alive together
 * at load time, which is the peak).
 */
export function datasetFootprint(selection: DatasetSelection, input: InputShape): DatasetFootprint {
  const facts = datasetFacts(selection.name);
  const synthetic = facts.bytesPerValue === 0;
  const trainAvailable = synthetic ? (selection.trainLimit ?? facts.trainSize) : facts.trainSize;
  const testAvailable = synthetic ? (selection.testLimit ?? facts.testSize) : facts.testSize;
  const shards = Math.max(1, selection.shardCount ?? 1);
  const trainExamples = Math.ceil(Math.min(selection.trainLimit ?? trainAvailable, trainAvailable) / shards);
  const testExamples = Math.min(selection.testLimit ?? testAvailable, testAvailable);
  const exampleValues = input.height * input.width * input.channels;
  const loaded = (trainExamples + testExamples) * (exampleValues * facts.bytesPerValue + 8);
  const raw = facts.readsWholeFiles ? (facts.trainSize + facts.testSize) * (exampleValues + 1) : 0;
  return { trainExamples, testExamples, bytes: loaded + raw };
}
