// Tiny-ImageNet in its distributed folder layout (`tiny-imagenet-200/`): wnids.txt lists the 200 class ids,
// train/<wnid>/images/*.JPEG holds 500 training images per class, val/images/*.JPEG with val/val_annotations.txt
// (tab-separated: file name, wnid, bounding box) is the labelled test split (the test/ folder has no labels).
// Images are 64×64 RGB JPEGs (a few are greyscale; they are expanded to RGB), decoded with jpeg-js only for the
// examples a job keeps, and kept as NHWC bytes; batches are normalised per channel.
//
// Classes are numbered in sorted wnid order and training images are listed per class in sorted file-name order,
// as torchvision's ImageFolder does, so a training id is the ImageFolder sample index. A val id is the line number
// in val_annotations.txt.
import { joinPath, listDirectory, readIfExists, readTextIfExists } from './files.js';
import type { RawSplit } from './source.js';
import { byteDecodeTable, byteStore, type ExampleStore } from './store.js';
import { DatasetFormatError, type PixelNormalization } from './types.js';

/** Default location, relative to the working directory (`.data/` is git-ignored). */
export const TINY_IMAGENET_DEFAULT_DIR = '.data/tiny-imagenet-200';
export const TINY_IMAGENET_SIDE = 64;
export const TINY_IMAGENET_CLASSES = 200;
export const TINY_IMAGENET_FILES = {
  wnids: 'wnids.txt',
  train: 'train',
  val: 'val',
  valImages: 'images',
  valAnnotations: 'val_annotations.txt',
} as const;

/**
 * Per-channel mean and standard deviation of the Tiny-ImageNet training set (R, G, B): the true per-channel pixel
 * std, as CIFAR10_STD; some reference code uses (0.2302, 0.2265, 0.2262), a per-image average.
 */
export const TINY_IMAGENET_MEAN = [0.4802, 0.4481, 0.3975] as const;
export const TINY_IMAGENET_STD = [0.277, 0.2691, 0.2821] as const;
export const TINY_IMAGENET_NORMALIZATION: PixelNormalization = { mean: TINY_IMAGENET_MEAN, std: TINY_IMAGENET_STD };

const LENGTH = TINY_IMAGENET_SIDE * TINY_IMAGENET_SIDE * 3;
/** Files read ahead while decoding. */
const READ_AHEAD = 16;

export type TinyImagenetReadResult =
  | { readonly train: RawSplit; readonly test: RawSplit; readonly numClasses: number; readonly wnids: readonly string[] }
  | { readonly missing: string };

/**
 * Lists the tree (no image is read yet). Accepts `tiny-imagenet-200/` itself or its parent. `numClasses` is the
 * number of wnids in wnids.txt (200 in the real data set).
 */
export async function readTinyImagenet(dir: string): Promise<TinyImagenetReadResult> {
  const direct = await readTree(dir);
  if (!('missing' in direct)) return direct;
  const nested = await readTree(await joinPath(dir, 'tiny-imagenet-200'));
  return 'missing' in nested ? direct : nested;
}

async function readTree(dir: string): Promise<TinyImagenetReadResult> {
  const wnidsPath = await joinPath(dir, TINY_IMAGENET_FILES.wnids);
  const wnidsText = await readTextIfExists(wnidsPath);
  if (wnidsText === undefined) return { missing: wnidsPath };
  const wnids = parseWnids(wnidsText, wnidsPath);
  const classOf = new Map(wnids.map((wnid, label) => [wnid, label]));

  const trainDir = await joinPath(dir, TINY_IMAGENET_FILES.train);
  if ((await listDirectory(trainDir)) === undefined) return { missing: trainDir };
  const trainPaths: string[] = [];
  const trainLabels: number[] = [];
  for (const [label, wnid] of wnids.entries()) {
    const imagesDir = await joinPath(await joinPath(trainDir, wnid), 'images');
    const names = await listDirectory(imagesDir);
    if (names === undefined) throw new DatasetFormatError(imagesDir, `missing: ${wnidsPath} lists class ${wnid}`);
    for (const name of names.filter(isJpegName).sort()) {
      trainPaths.push(await joinPath(imagesDir, name));
      trainLabels.push(label);
    }
  }
  if (trainPaths.length === 0) throw new DatasetFormatError(trainDir, 'no JPEG training images');

  const valDir = await joinPath(dir, TINY_IMAGENET_FILES.val);
  const annotationsPath = await joinPath(valDir, TINY_IMAGENET_FILES.valAnnotations);
  const annotations = await readTextIfExists(annotationsPath);
  if (annotations === undefined) return { missing: annotationsPath };
  const valImages = await joinPath(valDir, TINY_IMAGENET_FILES.valImages);
  const valPaths: string[] = [];
  const valLabels: number[] = [];
  for (const [index, line] of annotations.split(/\r?\n/).entries()) {
    if (line.trim() === '') continue;
    const [file, wnid] = line.split('\t');
    const label = wnid === undefined ? undefined : classOf.get(wnid.trim());
    if (!file || label === undefined) {
      throw new DatasetFormatError(annotationsPath, `line ${index + 1}: expected "<file>\\t<wnid>…" with a wnid from ${wnidsPath}`);
    }
    valPaths.push(await joinPath(valImages, file.trim()));
    valLabels.push(label);
  }
  if (valPaths.length === 0) throw new DatasetFormatError(annotationsPath, 'no annotated validation images');

  return {
    train: jpegSplit(trainPaths, Int32Array.from(trainLabels)),
    test: jpegSplit(valPaths, Int32Array.from(valLabels)),
    numClasses: wnids.length,
    wnids,
  };
}

/** The wnids of wnids.txt in sorted order (= class index order). */
export function parseWnids(text: string, file: string): string[] {
  const wnids = text
    .split(/\r?\n/)
    .map((line) => line.trim())
    .filter((line) => line !== '');
  if (wnids.length === 0) throw new DatasetFormatError(file, 'no class ids');
  const unique = new Set(wnids);
  if (unique.size !== wnids.length) throw new DatasetFormatError(file, 'a class id is listed twice');
  for (const wnid of wnids) {
    if (!/^[\w.-]+$/.test(wnid)) throw new DatasetFormatError(file, `"${wnid}" is not a class id`);
  }
  return [...wnids].sort();
}

function isJpegName(name: string): boolean {
  return /\.jpe?g$/i.test(name);
}

/** A split whose example at position p is the JPEG at `paths[p]`; images are read and decoded on selection. */
export function jpegSplit(paths: readonly string[], labels: Int32Array): RawSplit {
  const table = byteDecodeTable(3, TINY_IMAGENET_NORMALIZATION);
  return {
    count: paths.length,
    inputShape: { height: TINY_IMAGENET_SIDE, width: TINY_IMAGENET_SIDE, channels: 3 },
    labels,
    async select(positions): Promise<ExampleStore> {
      const decode = await jpegDecoder();
      const pixels = new Uint8Array(positions.length * LENGTH);
      for (let start = 0; start < positions.length; start += READ_AHEAD) {
        const chunk = Array.from(positions.subarray(start, start + READ_AHEAD), (position) => paths[position]);
        const files = await Promise.all(chunk.map((path) => readIfExists(path)));
        files.forEach((bytes, k) => {
          if (bytes === undefined) throw new DatasetFormatError(chunk[k], 'listed but missing');
          decodeInto(decode, bytes, chunk[k], pixels, (start + k) * LENGTH);
        });
      }
      return byteStore(pixels, LENGTH, 3, table);
    },
  };
}

type JpegDecode = (typeof import('jpeg-js'))['decode'];

let decoder: Promise<JpegDecode> | undefined;

/** jpeg-js, loaded on first use so that bundles that never read Tiny-ImageNet do not carry it. */
function jpegDecoder(): Promise<JpegDecode> {
  decoder ??= import('jpeg-js').then((module) => {
    const exports = module as unknown as { decode?: JpegDecode; default?: { decode?: JpegDecode } };
    const decode = exports.decode ?? exports.default?.decode;
    if (typeof decode !== 'function') throw new Error('jpeg-js did not export decode()');
    return decode;
  });
  return decoder;
}

/** Decodes one JPEG into 64×64×3 NHWC bytes at `offset`. */
export function decodeInto(decode: JpegDecode, bytes: Uint8Array, file: string, target: Uint8Array, offset: number): void {
  let image: { width: number; height: number; data: Uint8Array };
  try {
    image = decode(bytes, { useTArray: true, formatAsRGBA: false, maxResolutionInMP: 1, maxMemoryUsageInMB: 64 });
  } catch (error) {
    throw new DatasetFormatError(file, `not a decodable JPEG (${(error as Error).message})`);
  }
  if (image.width !== TINY_IMAGENET_SIDE || image.height !== TINY_IMAGENET_SIDE) {
    throw new DatasetFormatError(file, `image is ${image.width}×${image.height}, expected ${TINY_IMAGENET_SIDE}×${TINY_IMAGENET_SIDE}`);
  }
  target.set(image.data.subarray(0, LENGTH), offset);
}
