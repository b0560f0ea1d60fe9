// CIFAR-100 binary version (`cifar-100-binary`: train.bin, test.bin): each record is a coarse label byte (20
// superclasses), a fine label byte (100 classes), then 3072 pixel bytes as three 32×32 planes (R, G, B). The fine
// label is the label unless coarse labels are asked for. Kept as NHWC bytes, normalised per channel per batch.
import { parseCifarRecords, type CifarRecordFormat } from './cifar-records.js';
import { joinPath, readFirstExisting } from './files.js';
import type { RawSplit, SyncRawSplit } from './source.js';
import type { Cifar100LabelKind, PixelNormalization } from './types.js';

/** Default location, relative to the working directory (`.data/` is git-ignored). */
export const CIFAR100_DEFAULT_DIR = '.data/cifar-100-binary';
export const CIFAR100_TRAIN_FILE = 'train.bin';
export const CIFAR100_TEST_FILE = 'test.bin';
export const CIFAR100_FINE_CLASSES = 100;
export const CIFAR100_COARSE_CLASSES = 20;

/**
 * Per-channel mean and standard deviation of the CIFAR-100 training set (R, G, B), the constants the seeds'
 * CIFAR-100 pipelines normalise with; like CIFAR10_STD these are the true per-channel pixel std.
 */
export const CIFAR100_MEAN = [0.5071, 0.4865, 0.4409] as const;
export const CIFAR100_STD = [0.2673, 0.2564, 0.2762] as const;
export const CIFAR100_NORMALIZATION: PixelNormalization = { mean: CIFAR100_MEAN, std: CIFAR100_STD };

export function cifar100Classes(labels: Cifar100LabelKind = 'fine'): number {
  return labels === 'coarse' ? CIFAR100_COARSE_CLASSES : CIFAR100_FINE_CLASSES;
}

function format(labels: Cifar100LabelKind): CifarRecordFormat {
  return {
    labelBytes: 2,
    labelIndex: labels === 'coarse' ? 0 : 1,
    numClasses: cifar100Classes(labels),
    normalization: CIFAR100_NORMALIZATION,
    formatName: 'CIFAR-100',
    labelDescription: '1 coarse + 1 fine label',
  };
}

/** Parses concatenated CIFAR-100 binary records; `labels` picks the fine (default) or coarse label byte. */
export function parseCifar100Records(bytes: Uint8Array, file: string, labels: Cifar100LabelKind = 'fine'): SyncRawSplit {
  return parseCifarRecords(bytes, file, format(labels));
}

export type Cifar100ReadResult = { readonly train: RawSplit; readonly test: RawSplit } | { readonly missing: string };

/** Accepts the directory holding train.bin and test.bin or its parent holding `cifar-100-binary/`. */
export async function readCifar100(dir: string, labels: Cifar100LabelKind = 'fine'): Promise<Cifar100ReadResult> {
  const direct = await readDir(dir, labels);
  if (!('missing' in direct)) return direct;
  const nested = await readDir(await joinPath(dir, 'cifar-100-binary'), labels);
  return 'missing' in nested ? direct : nested;
}

async function readDir(dir: string, labels: Cifar100LabelKind): Promise<Cifar100ReadResult> {
  const trainPath = await joinPath(dir, CIFAR100_TRAIN_FILE);
  const train = await readFirstExisting([trainPath]);
  if (train === undefined) return { missing: trainPath };
  const testPath = await joinPath(dir, CIFAR100_TEST_FILE);
  const test = await readFirstExisting([testPath]);
  if (test === undefined) return { missing: testPath };
  return {
    train: parseCifar100Records(train.bytes, train.path, labels),
    test: parseCifar100Records(test.bytes, test.path, labels),
  };
}
