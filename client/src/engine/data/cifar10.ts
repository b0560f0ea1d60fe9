// CIFAR-10 binary version (`cifar-10-batches-bin`): each record is 1 label byte followed by 3072 pixel bytes laid
// out as three 32×32 planes (R, then G, then B), rows top to bottom. Converted to NHWC floats and normalised per
// channel: (value / 255 - mean) / std.
import { joinPath, readFirstExisting } from './files.js';
import { checkLabels, type RawSplit } from './source.js';
import { DatasetFormatError, type PixelNormalization } from './types.js';

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

const SIDE = 32;
const PLANE = SIDE * SIDE;
const RECORD = 1 + 3 * PLANE;

/** Parses concatenated CIFAR-10 binary records. `file` names the source in error messages. */
export function parseCifar10Records(bytes: Uint8Array, file: string): RawSplit {
  if (bytes.length === 0 || bytes.length % RECORD !== 0) {
    throw new DatasetFormatError(
      file,
      `${bytes.length} bytes is not a whole number of ${RECORD}-byte CIFAR-10 records (1 label + 3072 pixels)`,
    );
  }
  const count = bytes.length / RECORD;
  const labels = new Int32Array(count);
  for (let i = 0; i < count; i++) labels[i] = bytes[i * RECORD];
  checkLabels(labels, CIFAR10_CLASSES, file);
  const scale = [0, 1, 2].map((c) => 1 / (255 * CIFAR10_STD[c]));
  const shift = [0, 1, 2].map((c) => -CIFAR10_MEAN[c] / CIFAR10_STD[c]);
  return {
    count,
    inputShape: { height: SIDE, width: SIDE, channels: 3 },
    labels,
    writeExample(position, target, offset) {
      const start = position * RECORD + 1;
      for (let c = 0; c < 3; c++) {
        const plane = start + c * PLANE;
        const a = scale[c];
        const b = shift[c];
        for (let p = 0; p < PLANE; p++) target[offset + p * 3 + c] = bytes[plane + p] * a + b;
      }
    },
  };
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
  const trainParts: Uint8Array[] = [];
  for (const name of CIFAR10_TRAIN_FILES) {
    const path = await joinPath(dir, name);
    const found = await readFirstExisting([path]);
    if (found === undefined) return { missing: path };
    parseCifar10Records(found.bytes, found.path); // validates each file on its own for a precise error
    trainParts.push(found.bytes);
  }
  const testPath = await joinPath(dir, CIFAR10_TEST_FILE);
  const test = await readFirstExisting([testPath]);
  if (test === undefined) return { missing: testPath };
  return {
    train: parseCifar10Records(concat(trainParts), await joinPath(dir, 'data_batch_{1..5}.bin')),
    test: parseCifar10Records(test.bytes, test.path),
  };
}

function concat(parts: readonly Uint8Array[]): Uint8Array {
  const total = parts.reduce((sum, part) => sum + part.length, 0);
  const out = new Uint8Array(total);
  let offset = 0;
  for (const part of parts) {
    out.set(part, offset);
    offset += part.length;
  }
  return out;
}
