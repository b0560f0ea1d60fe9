// The sparse kernel operations, by layer family and direction: what a kernel benchmark cell measures and what a
// scheme descriptor says its compressed format has kernels for.
export const KERNEL_OPS = [
  'linear-forward',
  'linear-backward-data',
  'linear-backward-weight',
  'conv-forward',
  'conv-backward-data',
  'conv-backward-weight',
] as const;

export type KernelOp = (typeof KERNEL_OPS)[number];

export const LINEAR_KERNEL_OPS: readonly KernelOp[] = KERNEL_OPS.filter((op) => op.startsWith('linear-'));
export const CONV_KERNEL_OPS: readonly KernelOp[] = KERNEL_OPS.filter((op) => op.startsWith('conv-'));
