// Which compressed format stores a layer's mask, and the canonical position of each of its value slots. A scheme
// prefers its structured format (4×1 blocks, shuffled blocks, kept channels, 3×3 patterns); whenever that format
// would store an inactive entry (a mask that does not conform, e.g. a layer the scheme left irregular), CSR is used
// instead, because a stored entry is trained and would bring a pruned weight back to life.
import { buildBlock4 } from '../../kernels/formats/block4.js';
import { buildChannelCompaction } from '../../kernels/formats/channel.js';
import { buildCsr } from '../../kernels/formats/csr.js';
import { forEachEntry, formatDims } from '../../kernels/formats/entries.js';
import { buildPatternConv } from '../../kernels/formats/pattern.js';
import { buildShuffledBlocks } from '../../kernels/formats/shuffled-block.js';
import type { SparseFormat, SparseFormatKind } from '../../kernels/formats/types.js';
import { DEFAULT_SHUFFLED_BLOCK_SIDE, SCHEME_DESCRIPTORS } from '../../sparse/schemes/descriptors.js';
import type { SchemeName } from '../../sparse/schemes/types.js';
import { layerSize, rowLength, type LayerShape, type Mask } from '../../sparse/types.js';

export interface FormatPreference {
  readonly kind: SparseFormatKind;
  /** Side of shuffled blocks (only for 'shuffled-block'). */
  readonly blockSize?: number;
}

/** The scheme's own format (its descriptor's); `blockSize` is the shuffled-block side. */
export function formatPreferenceForScheme(scheme: SchemeName, blockSize = DEFAULT_SHUFFLED_BLOCK_SIDE): FormatPreference {
  const kind = SCHEME_DESCRIPTORS[scheme].format;
  return kind === 'shuffled-block' ? { kind, blockSize } : { kind };
}

/** The preferred format of `mask` when it stores exactly the active entries, else CSR. Values are all 0. */
export function buildCompressedFormat(shape: LayerShape, mask: Mask, preference: FormatPreference): SparseFormat {
  const zeros = new Float32Array(layerSize(shape));
  return tryStructured(shape, mask, preference, zeros) ?? { kind: 'csr', matrix: buildCsr(zeros, mask, shape.out, rowLength(shape)) };
}

function tryStructured(shape: LayerShape, mask: Mask, preference: FormatPreference, zeros: Float32Array): SparseFormat | undefined {
  const rows = shape.out;
  const cols = rowLength(shape);
  switch (preference.kind) {
    case 'csr':
      return undefined;
    case 'block4': {
      if (rows % 4 !== 0) return undefined;
      const matrix = buildBlock4(zeros, mask, rows, cols);
      return matrix.padded === 0 ? { kind: 'block4', matrix } : undefined;
    }
    case 'channel': {
      const matrix = buildChannelCompaction(zeros, mask, rows, shape.in, shape.kh * shape.kw);
      return matrix.padded === 0 ? { kind: 'channel', matrix } : undefined;
    }
    case 'pattern': {
      if (shape.kind !== 'conv' || shape.kh !== 3 || shape.kw !== 3) return undefined;
      try {
        const matrix = buildPatternConv(shape, zeros, mask);
        return matrix.padded === 0 ? { kind: 'pattern', matrix } : undefined;
      } catch {
        return undefined; // a kernel whose taps fit no pattern
      }
    }
    case 'shuffled-block': {
      try {
        const matrix = buildShuffledBlocks(zeros, mask, rows, cols, preference.blockSize ?? DEFAULT_SHUFFLED_BLOCK_SIDE);
        return { kind: 'shuffled-block', matrix };
      } catch {
        return undefined; // not a union of shuffled blocks
      }
    }
  }
}

/** Canonical index (row · rowLength + col) of every value slot, in value order. */
export function formatPositions(format: SparseFormat): Int32Array {
  const { cols } = formatDims(format);
  const positions = new Int32Array(format.matrix.values.length);
  forEachEntry(format, (slot, row, col) => (positions[slot] = row * cols + col));
  return positions;
}
