// MEST `free_block_prune_column_4`: a group is 4 consecutive output rows × 1 column of the flattened 2-D view
// W2[o, c], i.e. rows 4f..4f+3 at one flattened input position c. Applies to any layer (conv of any kernel size,
// depthwise [C, 1, kh, kw], linear) whose output count is a multiple of 4, as the reference requires (it raises
// "block_size error" otherwise); the input side is never blocked, so any input count works. A layer that is one
// single block ([4, 1]) is refused too: it could only be all or nothing.
//
// An "empty" block (grow candidate) is one whose four mask entries are all 0. The reference tests emptiness by the
// signed sum of the four weights, which also treats e.g. {+1, −1, 0, 0} as empty; we follow the intended meaning.
// Pruning ranks blocks by the L2 norm of their four scores and keeps the best ones exactly; the reference's
// percentile threshold (`score <= thr` pruned) can keep fewer when scores tie.
import { rowLength, type LayerShape } from '../types.js';
import { PartitionScheme, type Partition } from './partition.js';

export const BLOCK_ROWS = 4;

export class BlockScheme extends PartitionScheme {
  readonly name = 'block' as const;

  unsupportedReason(shape: LayerShape): string | undefined {
    if (shape.out % BLOCK_ROWS !== 0) {
      return `output count ${shape.out} is not divisible by ${BLOCK_ROWS}: a block is ${BLOCK_ROWS} consecutive output rows at one input position, so the last ${shape.out % BLOCK_ROWS} row(s) would fit no block`;
    }
    if (shape.out === BLOCK_ROWS && rowLength(shape) === 1) {
      return `the layer is a single ${BLOCK_ROWS}×1 block, so block sparsity could keep all of it or nothing`;
    }
    return undefined;
  }

  protected buildPartition(shape: LayerShape): Partition {
    const columns = rowLength(shape);
    const groupOf = new Uint32Array(shape.out * columns);
    for (let o = 0; o < shape.out; o++) {
      const base = Math.floor(o / BLOCK_ROWS) * columns;
      for (let c = 0; c < columns; c++) groupOf[o * columns + c] = base + c;
    }
    return { groupOf, groupCount: (shape.out / BLOCK_ROWS) * columns, groupSize: BLOCK_ROWS };
  }
}
