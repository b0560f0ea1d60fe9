// Fashion-MNIST from its four IDX files (gzipped as distributed, or already decompressed). Pixels are kept as bytes
// and reach the model as value / 255 in [0, 1], with no mean/std normalisation, matching the usual Fashion-MNIST
// setup.
import { readFirstExisting, joinPath } from './files.js';
import { parseIdx, type IdxArray } from './idx.js';
import { byteSplit, checkLabels, type RawSplit } from './source.js';
import { DatasetFormatError } from './types.js';

/** Where Debian's `dataset-fashion-mnist` package installs the files. */
export const FASHION_MNIST_DEFAULT_DIR = '/usr/share/datasets/fashion-mnist';

export const FASHION_MNIST_FILES = {
  trainImages: 'train-images-idx3-ubyte',
  trainLabels: 'train-labels-idx1-ubyte',
  testImages: 't10k-images-idx3-ubyte',
  testLabels: 't10k-labels-idx1-ubyte',
} as const;

export const FASHION_MNIST_CLASSES = 10;

export type RawPair = { readonly train: RawSplit; readonly test: RawSplit };
export type ReadResult = RawPair | { readonly missing: string };

export async function readFashionMnist(dir: string): Promise<ReadResult> {
  const files = [
    FASHION_MNIST_FILES.trainImages,
    FASHION_MNIST_FILES.trainLabels,
    FASHION_MNIST_FILES.testImages,
    FASHION_MNIST_FILES.testLabels,
  ];
  const parsed: IdxArray[] = [];
  const paths: string[] = [];
  for (const [index, name] of files.entries()) {
    const gz = await joinPath(dir, `${name}.gz`);
    const found = await readFirstExisting([gz, await joinPath(dir, name)]);
    if (found === undefined) return { missing: gz };
    parsed.push(parseIdx(found.bytes, found.path, index % 2 === 0 ? 3 : 1));
    paths.push(found.path);
  }
  const train = idxSplit(parsed[0], parsed[1], paths[0], paths[1]);
  const test = idxSplit(parsed[2], parsed[3], paths[2], paths[3]);
  if (train.inputShape.height !== test.inputShape.height || train.inputShape.width !== test.inputShape.width) {
    throw new DatasetFormatError(paths[2], `test images are ${test.inputShape.height}×${test.inputShape.width}, ` +
      `train images ${train.inputShape.height}×${train.inputShape.width}`);
  }
  return { train, test };
}

function idxSplit(images: IdxArray, labels: IdxArray, imagesFile: string, labelsFile: string): RawSplit {
  const [count, height, width] = images.dims;
  if (labels.dims[0] !== count) {
    throw new DatasetFormatError(labelsFile, `${labels.dims[0]} labels for ${count} images in ${imagesFile}`);
  }
  checkLabels(labels.data, FASHION_MNIST_CLASSES, labelsFile);
  const pixels = images.data;
  const length = height * width;
  return byteSplit({
    inputShape: { height, width, channels: 1 },
    labels: Int32Array.from(labels.data),
    copyPixels(position, target, offset) {
      target.set(pixels.subarray(position * length, (position + 1) * length), offset);
    },
  });
}
