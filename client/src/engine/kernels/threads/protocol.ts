// The layout of the pool's control block (one Int32Array over a SharedArrayBuffer) and the kernel exports the
// workers may call. A call has any number of slices (up to MAX_SLICES); the calling thread writes the function id
// and every slice's arguments, then publishes CLAIM and bumps GENERATION. Every thread, the calling one included,
// then claims slices one at a time (compare-and-swap on CLAIM) until none is left, and counts each finished one in
// DONE; the calling thread returns once DONE reaches the slice count. A worker that wakes late finds fewer (or no)
// slices left, so a slow wake-up costs its share of the work, never a wait for it.
export const GENERATION = 0;
/** Packed claim word: generation tag (bits 16–30), slice count (bits 8–15), next unclaimed slice (bits 0–7). */
export const CLAIM = 1;
export const DONE = 2;
export const FUNCTION = 3;
export const EXIT = 4;
/** 0, or 1 + the index of a worker whose kernel call threw. */
export const FAILED = 5;
export const ARGS = 8;
/** Int32 slots per slice: the argument count, then the arguments. */
export const ARG_STRIDE = 16;
/** Most slices one call may have (the claim word holds counts up to 255). */
export const MAX_SLICES = 128;

export const CLAIM_TAG_MASK = 0x7fff;

export function claimWord(generation: number, count: number): number {
  return ((generation & CLAIM_TAG_MASK) << 16) | (count << 8);
}

export function controlLength(): number {
  return ARGS + ARG_STRIDE * MAX_SLICES;
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
