// Scheme lookup by name: the only place that knows every scheme implementation.
import { BlockScheme } from './block.js';
import { ChannelScheme } from './channel.js';
import { IrregularScheme } from './irregular.js';
import { PatternScheme } from './pattern.js';
import { DEFAULT_BLOCK_SIZE, ShuffledBlockScheme } from './shuffled-block.js';
import { SCHEME_NAMES, type SchemeName, type SparsityScheme } from './types.js';

export interface SchemeOptions {
  /** Shuffled-block side B (default 16). Ignored by the other schemes. */
  readonly blockSize?: number;
}

export function createScheme(name: SchemeName, options: SchemeOptions = {}): SparsityScheme {
  switch (name) {
    case 'irregular':
      return new IrregularScheme();
    case 'pattern':
      return new PatternScheme();
    case 'block':
      return new BlockScheme();
    case 'channel':
      return new ChannelScheme();
    case 'shuffled-block':
      return new ShuffledBlockScheme(options.blockSize ?? DEFAULT_BLOCK_SIZE);
    default:
      throw new Error(`Unknown sparsity scheme "${String(name)}"; valid schemes: ${SCHEME_NAMES.join(', ')}`);
  }
}

export function isSchemeName(name: string): name is SchemeName {
  return (SCHEME_NAMES as readonly string[]).includes(name);
}
