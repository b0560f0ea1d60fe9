// Input-channel sparsity (our definition; MEST lists `channel` but never implemented it): a group is a whole input
// channel W[:, i, :, :] of a conv, or a whole input column W[:, i] of a linear layer. This matches MEST's sparsity
// reporter, which counts an input channel as empty when W[:, i, :, :] is all zero.
//
// Counts: whole channels, the nearest number to d·I and at least one when d > 0 (activeCountAt). A layer with a
// single input channel (a depthwise conv [C, 1, kh, kw], or a one-input linear layer) is refused: its one channel
// is the whole layer, so the scheme could only keep everything or nothing.
import type { LayerShape } from '../types.js';
import { PartitionScheme, type Partition } from './partition.js';

export class ChannelScheme extends PartitionScheme {
  readonly name = 'channel' as const;

  unsupportedReason(shape: LayerShape): string | undefined {
    if (shape.in < 2) {
      return `input count ${shape.in} (a depthwise or single-input layer): its only input channel is the whole layer, so channel sparsity could keep all of it or nothing`;
    }
    return undefined;
  }

  protected buildPartition(shape: LayerShape): Partition {
    const kernel = shape.kh * shape.kw;
    const groupOf = new Uint32Array(shape.out * shape.in * kernel);
    for (let e = 0; e < groupOf.length; e++) groupOf[e] = Math.floor(e / kernel) % shape.in;
    return { groupOf, groupCount: shape.in, groupSize: shape.out * kernel };
  }
}
