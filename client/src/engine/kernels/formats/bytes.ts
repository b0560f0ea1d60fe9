// Model-state bytes of each compressed format: what a device keeps per layer between steps (values + indices,
// 4 bytes each as stored here). The transposed backward index is derived state and counted separately.
import type { CsrTranspose } from './csr.js';
import type { SparseFormat } from './types.js';

export interface StateBytes {
  readonly valueBytes: number;
  readonly indexBytes: number;
  readonly totalBytes: number;
}

const WORD = 4;

function bytes(values: number, indices: number): StateBytes {
  return { valueBytes: WORD * values, indexBytes: WORD * indices, totalBytes: WORD * (values + indices) };
}

export function modelStateBytes(format: SparseFormat): StateBytes {
  switch (format.kind) {
    case 'csr': {
      const m = format.matrix;
      return bytes(m.values.length, m.rowPtr.length + m.colIdx.length);
    }
    case 'block4': {
      const m = format.matrix;
      return bytes(m.values.length, m.groupPtr.length + m.blockCol.length);
    }
    case 'shuffled-block': {
      const m = format.matrix;
      return bytes(m.values.length, m.groupRows.length + m.groupPtr.length + m.blockCols.length);
    }
    case 'channel': {
      const m = format.matrix;
      return bytes(m.values.length, m.kept.length);
    }
    case 'pattern': {
      const m = format.matrix;
      return bytes(m.values.length, m.kernelPtr.length + m.kernelChannel.length + m.kernelPattern.length + m.patterns.length);
    }
  }
}

/** Dense model-state bytes of the same layer, for comparison. */
export function denseStateBytes(rows: number, cols: number): StateBytes {
  return bytes(rows * cols, 0);
}

export function transposeIndexBytes(t: CsrTranspose): number {
  return WORD * (t.rowPtr.length + t.colIdx.length + t.perm.length);
}
