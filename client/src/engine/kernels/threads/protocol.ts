// The layout of the pool's control block (one Int32Array over a SharedArrayBuffer) and the kernel exports the
// workers may call. The main thread writes a task's function id and per-worker arguments, bumps GENERATION and
// notifies; each worker runs its slice and decrements PENDING; the last one notifies the main thread.
export const GENERATION = 0;
export const PENDING = 1;
export const FUNCTION = 2;
export const EXIT = 3;
/** 0, or 1 + the index of a worker whose kernel call threw. */
export const FAILED = 4;
export const ARGS = 8;
/** Int32 slots per worker: the argument count (−1: no work this round), then the arguments. */
export const ARG_STRIDE = 16;

export function controlLength(workers: number): number {
  return ARGS + ARG_STRIDE * (workers + 1);
}

/** Kernel exports a task may name (exports.ts); every argument is an int32 (byte address, count or flag). */
export const POOL_FUNCTIONS = [
  'gatherF32',
  'gatherF32x16',
  'csrSpmm',
  'csrSddmm',
  'csrSpmm16',
  'csrSddmm16',
  'block4Spmm',
  'block4Sddmm',
  'shuffledSpmm',
  'shuffledSddmm',
  'denseGemm',
  'denseDots',
  'padPlanes',
  'convCsr',
  'convPattern',
  'convBlock4',
  'convDense',
  'convDenseDw',
  'convSddmm',
  'convSddmmBlock4',
  'rowAffine',
  'reluBackward',
  'rowSums',
  'scaleRows',
  'reverse3Part',
] as const;

export type PoolFunction = (typeof POOL_FUNCTIONS)[number];
