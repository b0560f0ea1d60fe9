// How a kernel call is cut into slices: contiguous runs of output rows (or row groups, or entries) with about equal
// work. Work of a row = its stored entries + a fixed per-row cost, so empty rows still count a little and rows <
// ranges gives fewer ranges, never empty ones. Slices only ever start where the single-threaded kernel would also
// start a row, so every thread count and every slicing computes bit-identical results.

/** [start, end) row ranges. */
export type RowRange = readonly [number, number];

/**
 * Multiply-adds (or moved floats) below which a call runs on the calling thread alone when a job asks for N
 * threads (KernelRuntimeOptions.minParallelWork). Measured here (2 vCPUs, both free, slice claiming): a 300×784
 * CSR forward at d = 0.1 ran 0.81× on 2 threads at 0.09 M multiply-adds (27 µs), 1.26–1.40× from 0.19 M.
 */
export const MIN_PARALLEL_WORK = 1 << 17;

/**
 * The same threshold for threads: 'auto' (about 0.3–0.5 ms of kernel work here). A worker that loses its core
 * while it holds a slice stalls the call for a scheduler time slice (milliseconds), and a step made of short calls
 * (the MLP b128 at d = 0.1: its largest calls are 2.4 M) then ran 0.62–0.92× of one thread on a busy 2-vCPU
 * machine; calls this large (the CNN's conv layers, 14–23 M) amortize that risk. A job that asks for N threads
 * explicitly gets MIN_PARALLEL_WORK.
 */
export const AUTO_MIN_PARALLEL_WORK = 1 << 22;

/** The per-call work threshold for a thread request: AUTO_MIN_PARALLEL_WORK for 'auto', else MIN_PARALLEL_WORK. */
export function minParallelWorkFor(requested: 'auto' | number): number {
  return requested === 'auto' ? AUTO_MIN_PARALLEL_WORK : MIN_PARALLEL_WORK;
}

/** Default least work of one slice (KernelRuntimeOptions.minSliceWork): claiming and calling a slice costs ≈ 1 µs. */
export const MIN_SLICE_WORK = 1 << 15;

/** Fine ranges a layer's work is cut into per thread, once per mask; each call groups them into its slices. */
export const RANGES_PER_THREAD = 16;

/** Most fine ranges a layer's work is cut into (so a one-phase call has at most this many slices). */
export const MAX_RANGES = 128;

/** How many fine ranges to cut a layer's work into for `threads` threads (1 on one thread). */
export function rangeCount(threads: number, maxSlices: number): number {
  return threads < 2 ? 1 : Math.min(maxSlices, RANGES_PER_THREAD * threads);
}

export interface SliceRule {
  readonly threads: number;
  /** Work below which a call stays whole. */
  readonly minWork: number;
  /** Least work of one slice. */
  readonly minSliceWork: number;
}

const grouped = new WeakMap<readonly RowRange[], Map<number, readonly RowRange[]>>();

/**
 * The slices of one call over `ranges` (fine ranges of about equal work, in order): one range spanning them all
 * when the call's `work` is below rule.minWork, else consecutive groups of ranges in decreasing sizes (guided
 * self-scheduling: each group about 1/(2·threads) of what is left, never under rule.minSliceWork), so the threads
 * claim big slices first and even out on small ones at the end. Memoized per `ranges` array.
 */
export function slicesFor(ranges: readonly RowRange[], work: number, rule: SliceRule): readonly RowRange[] {
  const count = ranges.length;
  if (count < 2 || rule.threads < 2 || work < rule.minWork) return count < 2 ? ranges : [[ranges[0][0], ranges[count - 1][1]]];
  const least = Math.max(1, Math.ceil((rule.minSliceWork * count) / Math.max(1, work)));
  let byLeast = grouped.get(ranges);
  if (byLeast === undefined) grouped.set(ranges, (byLeast = new Map()));
  let slices = byLeast.get(least);
  if (slices === undefined) {
    const out: RowRange[] = [];
    for (let start = 0; start < count; ) {
      const left = count - start;
      const size = Math.min(left, Math.max(least, Math.ceil(left / (2 * rule.threads))));
      out.push([ranges[start][0], ranges[start + size - 1][1]]);
      start += size;
    }
    byLeast.set(least, (slices = out));
  }
  return slices;
}

const ROW_COST = 4;

/**
 * Splits rows 0..ptr.length−1 (ptr = row offsets, length rows + 1) into at most `parts` ranges of balanced
 * work; range starts are multiples of `align`.
 */
export function balancedRanges(ptr: ArrayLike<number>, parts: number, align = 1): RowRange[] {
  const rows = ptr.length - 1;
  if (rows <= 0) return [];
  const work = (r: number): number => ptr[r] - ptr[0] + ROW_COST * r;
  const total = work(rows);
  const ranges: RowRange[] = [];
  let start = 0;
  for (let p = 1; p <= parts && start < rows; p++) {
    let end = rows;
    if (p < parts) {
      const target = (total * p) / parts;
      // First aligned row boundary whose prefix work reaches the target.
      let lo = start;
      let hi = rows;
      while (lo < hi) {
        const mid = (lo + hi) >> 1;
        if (work(mid) < target) lo = mid + 1;
        else hi = mid;
      }
      end = Math.min(rows, Math.max(start + align, Math.ceil(lo / align) * align));
    }
    if (end > start) ranges.push([start, end]);
    start = end;
  }
  return ranges;
}

/** `count` equal-cost items in at most `parts` ranges, starts aligned to `align`. */
export function evenRanges(count: number, parts: number, align = 1): RowRange[] {
  const chunk = Math.max(align, Math.ceil(count / parts / align) * align);
  const ranges: RowRange[] = [];
  for (let start = 0; start < count; start += chunk) ranges.push([start, Math.min(count, start + chunk)]);
  return ranges;
}

/**
 * Entries 0..keys.length−1 grouped by a run key (e.g. the output row of each entry, in entry order): ranges cut only
 * where the key changes, balanced by entry count.
 */
export function runRanges(keys: ArrayLike<number>, parts: number): RowRange[] {
  if (keys.length === 0) return [];
  const starts: number[] = [0];
  for (let j = 1; j < keys.length; j++) if (keys[j] !== keys[j - 1]) starts.push(j);
  starts.push(keys.length);
  return balancedRanges(starts, parts).map(([a, b]) => [starts[a], starts[b]] as const);
}
