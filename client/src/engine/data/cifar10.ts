// CIFAR-10 binary version (`cifar-10-batches-bin`): each record is 1 label byte followed by 3072 pixel bytes laid
// out as three 32×32 planes (R, then G, then B), rows top to bottom. Kept as NHWC bytes; batches are normalised per
// channel: (value / 255 - mean) / std.
import { joinPath, readFirstExisting } from './files.js';
import { parseCifarRecordFiles, parseCifarRecords, type CifarRecordFormat } from './cifar-records.js';
import type { RawSplit, SyncRawSplit } from './source.js';
import type { PixelNormalization } from './types.js';

/** Default location, relative to the working directory (`.data/` is git-ignored). */
export const CIFAR10_DEFAULT_DIR = '.data/cifar-10-batches-bin';
export const CIFAR10_TRAIN_FILES = [
  'data_batch_1.bin',
  'data_batch_2.bin',
  'data_batch_3.bin',
  'data_batch_4.bin',
  'data_batch_5.bin',
] as const;
export const CIFAR10_TEST_FILE = 'test_batch.bin';
export const CIFAR10_CLASSES = 10;

/**
 * Per-channel mean and standard deviation of the CIFAR-10 training set (R, G, B). The std values are the true
 * per-channel pixel std; some reference code (e.g. the widely copied pytorch-cifar recipe) uses
 * (0.2023, 0.1994, 0.2010) instead, which is a per-image average and differs by about 20%.
 */
export const CIFAR10_MEAN = [0.4914, 0.4822, 0.4465] as const;
export const CIFAR10_STD = [0.247, 0.2435, 0.2616] as const;
export const CIFAR10_NORMALIZATION: PixelNormalization = { mean: CIFAR10_MEAN, std: CIFAR10_STD };

const FORMAT: CifarRecordFormat = {
  labelBytes: 1,
  labelIndex: 0,
  numClasses: CIFAR10_CLASSES,
  normalization: CIFAR10_NORMALIZATION,
  formatName: 'CIFAR-10',
  labelDescription: '1 label',
};

/** Parses concatenated CIFAR-10 binary records. `file` names the source in error messages. */
export function parseCifar10Records(bytes: Uint8Array, file: string): SyncRawSplit {
  return parseCifarRecords(bytes, file, FORMAT);
}

export type CifarReadResult = { readonly train: RawSplit; readonly test: RawSplit } | { readonly missing: string };

/** Accepts the directory holding the .bin files or its parent holding `cifar-10-batches-bin/`. */
export async function readCifar10(dir: string): Promise<CifarReadResult> {
  const direct = await readCifarDir(dir);
  if (!('missing' in direct)) return direct;
  const nested = await readCifarDir(await joinPath(dir, 'cifar-10-batches-bin'));
  return 'missing' in nested ? direct : nested;
}

async function readCifarDir(dir: string): Promise<CifarReadResult> {
  const trainParts: { bytes: Uint8Array; file: string }[] = [];
  for (const name of CIFAR10_TRAIN_FILES) {
    const path = await joinPath(dir, name);
    const found = await readFirstExisting([path]);
    if (found === undefined) return { missing: path };
    trainParts.push({ bytes: found.bytes, file: found.path });
  }
  const testPath = await joinPath(dir, CIFAR10_TEST_FILE);
  const test = await readFirstExisting([testPath]);
  if (test === undefined) return { missing: testPath };
  return {
    // Each file is checked on its own (precise errors) and none is copied: kept examples come straight out of them.
    train: parseCifarRecordFiles(trainParts, FORMAT),
    test: parseCifar10Records(test.bytes, test.path),
  };
}
