// The CIFAR binary record layout shared by CIFAR-10 and CIFAR-100: `labelBytes` label bytes, then 3072 pixel bytes
// as three 32×32 planes (R, then G, then B), rows top to bottom. Kept as raw bytes (transposed to NHWC when a job's
// examples are selected) and normalised per channel when batches are built.
import { byteSplit, checkLabels, type SyncRawSplit } from './source.js';
import { DatasetFormatError, type PixelNormalization } from './types.js';

export const CIFAR_SIDE = 32;
const PLANE = CIFAR_SIDE * CIFAR_SIDE;
const PIXELS = 3 * PLANE;

export interface CifarRecordFormat {
  /** Label bytes before the pixels (CIFAR-10: 1; CIFAR-100: 2, coarse then fine). */
  readonly labelBytes: number;
  /** Which label byte is the label (0-based). */
  readonly labelIndex: number;
  readonly numClasses: number;
  readonly normalization: PixelNormalization;
  /** For error messages, e.g. 'CIFAR-10' and '1 label'. */
  readonly formatName: string;
  readonly labelDescription: string;
}

/** Parses concatenated records. `file` names the source in error messages. */
export function parseCifarRecords(bytes: Uint8Array, file: string, format: CifarRecordFormat): SyncRawSplit {
  return parseCifarRecordFiles([{ bytes, file }], format);
}

/**
 * Parses several record files as one split, positions numbered across the files in order (CIFAR-10's five
 * training batches). The files are not concatenated: the kept examples are copied straight out of each.
 */
export function parseCifarRecordFiles(
  files: readonly { readonly bytes: Uint8Array; readonly file: string }[],
  format: CifarRecordFormat,
): SyncRawSplit {
  const record = format.labelBytes + PIXELS;
  const starts: number[] = [];
  let count = 0;
  for (const { bytes, file } of files) {
    if (bytes.length === 0 || bytes.length % record !== 0) {
      throw new DatasetFormatError(
        file,
        `${bytes.length} bytes is not a whole number of ${record}-byte ${format.formatName} records ` +
          `(${format.labelDescription} + 3072 pixels)`,
      );
    }
    starts.push(count);
    count += bytes.length / record;
  }
  const labels = new Int32Array(count);
  files.forEach(({ bytes, file }, part) => {
    const partLabels = labels.subarray(starts[part], starts[part] + bytes.length / record);
    for (let i = 0; i < partLabels.length; i++) partLabels[i] = bytes[i * record + format.labelIndex];
    checkLabels(partLabels, format.numClasses, file);
  });
  return byteSplit({
    inputShape: { height: CIFAR_SIDE, width: CIFAR_SIDE, channels: 3 },
    labels,
    normalization: format.normalization,
    copyPixels(position, target, offset) {
      let part = starts.length - 1;
      while (starts[part] > position) part--;
      const bytes = files[part].bytes;
      const start = (position - starts[part]) * record + format.labelBytes;
      for (let c = 0; c < 3; c++) {
        const plane = start + c * PLANE;
        for (let p = 0; p < PLANE; p++) target[offset + p * 3 + c] = bytes[plane + p];
      }
    },
  });
}
