// MEST `free_block_prune_column_4`: a group is 4 consecutive output rows × 1 column of the flattened 2-D view
// W2[o, c], i.e. rows 4f..4f+3 at one flattened input position c.
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
    return shape.out % BLOCK_ROWS === 0 ? undefined : `output count ${shape.out} is not divisible by ${BLOCK_ROWS}`;
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
