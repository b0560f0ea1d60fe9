// Builders for small data files written by the tests themselves.
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { gzipSync } from 'node:zlib';
import { decodeExamples, type Dataset } from '../../../client/src/engine/data/index.js';

export function idxBytes(dims: readonly number[], data: Uint8Array, magicType = 0x08): Uint8Array {
  const header = new Uint8Array(4 + 4 * dims.length);
  const view = new DataView(header.buffer);
  header[2] = magicType;
  header[3] = dims.length;
  dims.forEach((size, d) => view.setUint32(4 + 4 * d, size, false));
  const out = new Uint8Array(header.length + data.length);
  out.set(header);
  out.set(data, header.length);
  return out;
}

export function gzip(bytes: Uint8Array): Uint8Array {
  return new Uint8Array(gzipSync(bytes));
}

/** Images whose pixel at flat index p of image n is (n * 7 + p) % 256. */
export function patternImages(count: number, height: number, width: number): Uint8Array {
  const data = new Uint8Array(count * height * width);
  for (let n = 0; n < count; n++) for (let p = 0; p < height * width; p++) data[n * height * width + p] = (n * 7 + p) % 256;
  return data;
}

export interface FashionFiles {
  readonly trainImages?: Uint8Array;
  readonly trainLabels?: Uint8Array;
  readonly testImages?: Uint8Array;
  readonly testLabels?: Uint8Array;
}

export async function writeFashionDir(dir: string, files: FashionFiles): Promise<void> {
  const names: Record<keyof FashionFiles, string> = {
    trainImages: 'train-images-idx3-ubyte.gz',
    trainLabels: 'train-labels-idx1-ubyte.gz',
    testImages: 't10k-images-idx3-ubyte.gz',
    testLabels: 't10k-labels-idx1-ubyte.gz',
  };
  for (const key of Object.keys(names) as (keyof FashionFiles)[]) {
    const content = files[key];
    if (content) await writeFile(join(dir, names[key]), gzip(content));
  }
}

/** A tiny valid Fashion-MNIST-shaped data set: `train` and `test` images of 4×4, labels n % 10. */
export function tinyFashion(train: number, test: number): Required<FashionFiles> {
  const labels = (count: number) => Uint8Array.from({ length: count }, (_, n) => n % 10);
  return {
    trainImages: idxBytes([train, 4, 4], patternImages(train, 4, 4)),
    trainLabels: idxBytes([train], labels(train)),
    testImages: idxBytes([test, 4, 4], patternImages(test, 4, 4)),
    testLabels: idxBytes([test], labels(test)),
  };
}

export async function withTempDir<T>(body: (dir: string) => Promise<T>): Promise<T> {
  const dir = await mkdtemp(join(tmpdir(), 'sparsefleet-data-'));
  try {
    return await body(dir);
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}

/** One CIFAR-10 binary record: label, then R, G, B planes; pixel value = plane base + index within plane. */
export function cifarRecord(label: number, base: readonly [number, number, number]): Uint8Array {
  const record = new Uint8Array(3073);
  record[0] = label;
  for (let c = 0; c < 3; c++) for (let p = 0; p < 1024; p++) record[1 + c * 1024 + p] = (base[c] + p) % 256;
  return record;
}

export { concatBytes } from '../../../client/src/engine/util/bytes.js';

/** All examples of a data set as model-ready NHWC floats (what batches are built from). */
export function imagesOf(dataset: Dataset): Float32Array {
  return decodeExamples(dataset.examples);
}

/** One CIFAR-100 binary record: coarse label, fine label, then R, G, B planes; pixel = plane base + index in plane. */
export function cifar100Record(coarse: number, fine: number, base: readonly [number, number, number]): Uint8Array {
  const record = new Uint8Array(3074);
  record[0] = coarse;
  record[1] = fine;
  for (let c = 0; c < 3; c++) for (let p = 0; p < 1024; p++) record[2 + c * 1024 + p] = (base[c] + p) % 256;
  return record;
}
