// One descriptor per sparsity scheme: its canonical name and the older names still accepted on input, the shape of
// its groups, the compressed format that stores it, the kernel ops that format has, what its index costs in memory
// and how to build the scheme. Every consumer (trainer, compute setup, memory estimate, benchmark requests,
// campaign specs, CLI) reads schemes from here, so a scheme is described once.
import type { SparseFormatKind } from '../../kernels/formats/types.js';
import { BlockScheme, BLOCK_ROWS } from './block.js';
import { ChannelScheme } from './channel.js';
import { IrregularScheme } from './irregular.js';
import { CONV_KERNEL_OPS, KERNEL_OPS, type KernelOp } from './kernel-ops.js';
import { PatternScheme } from './pattern.js';
import { DEFAULT_BLOCK_SIZE, ShuffledBlockScheme } from './shuffled-block.js';
import { SCHEME_NAMES, type SchemeName, type SparsityScheme } from './types.js';

/** What one group (the unit kept or dropped together) is, in the flattened [out, in·kh·kw] view of a layer. */
export type SchemeGroup =
  | { readonly kind: 'element' }
  /** `rows` consecutive output rows at one input position (4×1 blocks). */
  | { readonly kind: 'row-block'; readonly rows: number; readonly columns: 1 }
  /** A dense side×side block after permuting rows and columns; the side is configurable (DSB's B). */
  | { readonly kind: 'shuffled-block'; readonly defaultSide: number }
  /** A whole input channel W[:, i, :, :]. */
  | { readonly kind: 'input-channel' }
  /** `kept` of the 9 taps of each 3×3 kernel, from MEST's pattern set. */
  | { readonly kind: 'kernel-pattern'; readonly kept: number; readonly taps: number };

export interface SchemeBuildOptions {
  /** Shuffled-block side B (default SchemeGroup.defaultSide). Ignored by the other schemes. */
  readonly blockSize?: number;
}

export interface SchemeDescriptor {
  readonly name: SchemeName;
  /** Older names accepted on input (stored jobs, campaign files, kernel cells) and read as `name`. */
  readonly aliases: readonly string[];
  readonly group: SchemeGroup;
  /** The compressed format the kernels store a conforming layer in (CSR when a mask does not conform). */
  readonly format: SparseFormatKind;
  /** The kernel ops that format has; a kernel cell asking for another op is refused. */
  readonly kernelOps: readonly KernelOp[];
  /**
   * Index bytes the format keeps per active weight (memory estimate): CSR an int32 column per value; 4×1 blocks one
   * int32 per 4 values; patterns an input channel and a pattern id per kernel of 4 values; kept channels one index
   * per kept input channel (per row of kh·kw values, counted as 1 byte per value); shuffled blocks B row and B column
   * indices per B×B block (at B = 16).
   */
  readonly indexBytesPerActive: number;
  create(options?: SchemeBuildOptions): SparsityScheme;
}

export const SCHEME_DESCRIPTORS: Readonly<Record<SchemeName, SchemeDescriptor>> = {
  irregular: {
    name: 'irregular',
    aliases: ['csr'],
    group: { kind: 'element' },
    format: 'csr',
    kernelOps: KERNEL_OPS,
    indexBytesPerActive: 4,
    create: () => new IrregularScheme(),
  },
  pattern: {
    name: 'pattern',
    aliases: [],
    group: { kind: 'kernel-pattern', kept: 4, taps: 9 },
    format: 'pattern',
    kernelOps: CONV_KERNEL_OPS,
    indexBytesPerActive: 2,
    create: () => new PatternScheme(),
  },
  block: {
    name: 'block',
    aliases: ['block4'],
    group: { kind: 'row-block', rows: BLOCK_ROWS, columns: 1 },
    format: 'block4',
    kernelOps: KERNEL_OPS,
    indexBytesPerActive: 1,
    create: () => new BlockScheme(),
  },
  channel: {
    name: 'channel',
    aliases: [],
    group: { kind: 'input-channel' },
    format: 'channel',
    kernelOps: KERNEL_OPS,
    indexBytesPerActive: 1,
    create: () => new ChannelScheme(),
  },
  'shuffled-block': {
    name: 'shuffled-block',
    aliases: [],
    group: { kind: 'shuffled-block', defaultSide: DEFAULT_BLOCK_SIZE },
    format: 'shuffled-block',
    kernelOps: KERNEL_OPS,
    indexBytesPerActive: 0.5,
    create: (options = {}) => new ShuffledBlockScheme(options.blockSize ?? DEFAULT_BLOCK_SIZE),
  },
};

/** The side of shuffled blocks when neither the schedule nor the cell names one (DSB's B = 16). */
export const DEFAULT_SHUFFLED_BLOCK_SIDE: number = DEFAULT_BLOCK_SIZE;

export function schemeDescriptor(name: SchemeName): SchemeDescriptor {
  return SCHEME_DESCRIPTORS[name];
}

/** Every name accepted on input, canonical names first. */
export const ACCEPTED_SCHEME_NAMES: readonly string[] = [...SCHEME_NAMES, ...SCHEME_NAMES.flatMap((name) => SCHEME_DESCRIPTORS[name].aliases)];

const BY_ACCEPTED_NAME: ReadonlyMap<string, SchemeName> = new Map(
  SCHEME_NAMES.flatMap((name) => [name, ...SCHEME_DESCRIPTORS[name].aliases].map((accepted) => [accepted, name] as const)),
);

/** The canonical name of a scheme name or alias ('block4' → 'block'); undefined for a name no scheme answers to. */
export function canonicalSchemeName(name: string): SchemeName | undefined {
  return BY_ACCEPTED_NAME.get(name);
}

/** Why `scheme` has no kernel for `op` (undefined when it has one). */
export function kernelOpUnsupportedReason(scheme: SchemeName, op: KernelOp): string | undefined {
  const descriptor = SCHEME_DESCRIPTORS[scheme];
  if (descriptor.kernelOps.includes(op)) return undefined;
  return `scheme '${scheme}' (${descriptor.format} format) has no kernel for ${op}; its ops: ${descriptor.kernelOps.join(', ')}`;
}

/** `irregular (or csr), pattern, block (or block4), …`: the scheme names for help texts. */
export function describeSchemeNames(): string {
  return SCHEME_NAMES.map((name) => {
    const { aliases } = SCHEME_DESCRIPTORS[name];
    return aliases.length === 0 ? name : `${name} (or ${aliases.join(', ')})`;
  }).join(', ');
}
