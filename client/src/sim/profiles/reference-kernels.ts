// The reference machine's sparse-kernel rates (profiles/devices/reference-kernels.json, from bench/README.md's
// bench:kernels figures): median GFLOP/s per op and scheme, for fitting a speed factor from a kernel campaign.
import { canonicalSchemeName } from '../../engine/sparse/schemes/descriptors.js';
import table from '../../../../profiles/devices/reference-kernels.json' with { type: 'json' };

export interface ReferenceKernelRate {
  readonly op: string;
  readonly scheme: string;
  readonly gflops: number;
  readonly cells: number;
}

export const REFERENCE_KERNEL_RATES: readonly ReferenceKernelRate[] = table.entries;

/** Cells may use a scheme's old name ('block4'); the table uses canonical names. */
export function referenceKernelGflops(op: string, scheme: string): number | undefined {
  const name = canonicalSchemeName(scheme) ?? scheme;
  return REFERENCE_KERNEL_RATES.find((rate) => rate.op === op && rate.scheme === name)?.gflops;
}
