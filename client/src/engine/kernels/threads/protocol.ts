// The layout of the pool's control block (one Int32Array over a SharedArrayBuffer) and the kernel exports the
// workers may call. A call has any number of slices (up to MAX_SLICES) in one or more phases; the calling thread
// writes every slice's function id, phase bounds and arguments, then publishes CLAIM and bumps GENERATION. Every
// thread, the calling one included, then claims slices one at a time (compare-and-swap on CLAIM) until none is left,
// and counts each finished one in DONE; the calling thread returns once DONE reaches the slice count. A worker that
// wakes late finds fewer (or no) slices left, so a slow wake-up costs its share of the work, never a wait for it.
//
// Phases: slices are numbered phase after phase and claimed in that order, so whoever claims a slice of phase p
// knows every slice of the earlier phases is claimed and running (or done); it waits until DONE reaches its phase's
// first slice number (a barrier inside the call) before running it. No thread ever waits for a later slice, so this
// cannot deadlock. The thread whose increment of DONE ends a phase notifies DONE.
export const GENERATION = 0;
/** Packed claim word: generation tag (bits 16–30), slice count (bits 8–15), next unclaimed slice (bits 0–7). */
export const CLAIM = 1;
export const DONE = 2;
export const EXIT = 4;
/** 0, or 1 + the index of the first thread whose kernel call threw (the calling thread is 0, workers 1, 2, …). */
export const FAILED = 5;
/** The slice number that set FAILED. */
export const FAILED_SLICE = 6;
export const ARGS = 8;
/** Int32 slots per slice: the argument count, the slice header (sliceHeader), then the arguments. */
export const ARG_STRIDE = 16;
/** Slots before a slice's arguments. */
export const SLICE_HEADER = 2;
/** Most slices one call may have, all phases together (the claim word holds counts up to 255). */
export const MAX_SLICES = 255;

export const CLAIM_TAG_MASK = 0x7fff;

export function claimWord(generation: number, count: number): number {
  return ((generation & CLAIM_TAG_MASK) << 16) | (count << 8);
}

/** A slice's second slot: function id (bits 0–7), its phase's first (bits 8–15) and end (bits 16–23) slice numbers. */
export function sliceHeader(fn: number, phaseStart: number, phaseEnd: number): number {
  return fn | (phaseStart << 8) | (phaseEnd << 16);
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
