// The reference machine's sparse-kernel rates (profiles/devices/reference-kernels.json, from bench/README.md's
// bench:kernels figures): median GFLOP/s per op and scheme, for fitting a speed factor from a kernel campaign.
import table from '../../../../profiles/devices/reference-kernels.json' with { type: 'json' };

export interface ReferenceKernelRate {
  readonly op: string;
  readonly scheme: string;
  readonly gflops: number;
  readonly cells: number;
}

export const REFERENCE_KERNEL_RATES: readonly ReferenceKernelRate[] = table.entries;

/** Campaign cells say 'block', the kernels 'block4': the same 4×1 blocks. */
const SCHEME_ALIASES: Readonly<Record<string, string>> = { block4: 'block' };

export function referenceKernelGflops(op: string, scheme: string): number | undefined {
  const name = SCHEME_ALIASES[scheme] ?? scheme;
  return REFERENCE_KERNEL_RATES.find((rate) => rate.op === op && rate.scheme === name)?.gflops;
}
