// Input-channel sparsity (our definition; MEST lists `channel` but never implemented it): a group is a whole input
// channel W[:, i, :, :] of a conv, or a whole input column W[:, i] of a linear layer. This matches MEST's sparsity
// reporter, which counts an input channel as empty when W[:, i, :, :] is all zero.
import type { LayerShape } from '../types.js';
import { PartitionScheme, type Partition } from './partition.js';

export class ChannelScheme extends PartitionScheme {
  readonly name = 'channel' as const;

  unsupportedReason(): string | undefined {
    return undefined;
  }

  protected buildPartition(shape: LayerShape): Partition {
    const kernel = shape.kh * shape.kw;
    const groupOf = new Uint32Array(shape.out * shape.in * kernel);
    for (let e = 0; e < groupOf.length; e++) groupOf[e] = Math.floor(e / kernel) % shape.in;
    return { groupOf, groupCount: shape.in, groupSize: shape.out * kernel };
  }
}
