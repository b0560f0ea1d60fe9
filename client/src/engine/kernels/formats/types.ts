// The compressed formats as one tagged union, so references, byte accounting and tests can treat them alike.
import type { Block4Matrix } from './block4.js';
import type { ChannelCompaction } from './channel.js';
import type { CsrMatrix } from './csr.js';
import type { PatternConv } from './pattern.js';
import type { ShuffledBlockMatrix } from './shuffled-block.js';

export type SparseFormat =
  | { readonly kind: 'csr'; readonly matrix: CsrMatrix }
  | { readonly kind: 'block4'; readonly matrix: Block4Matrix }
  | { readonly kind: 'shuffled-block'; readonly matrix: ShuffledBlockMatrix }
  | { readonly kind: 'channel'; readonly matrix: ChannelCompaction }
  | { readonly kind: 'pattern'; readonly matrix: PatternConv };

export type SparseFormatKind = SparseFormat['kind'];
