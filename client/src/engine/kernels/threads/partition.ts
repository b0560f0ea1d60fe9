// How a kernel call is cut into per-thread slices: contiguous runs of output rows (or row groups, or entries) with
// about equal work. Work of a row = its stored entries + a fixed per-row cost, so empty rows still count a little
// and rows < threads gives fewer slices, never empty ones. Slices only ever start where the single-threaded kernel
// would also start a row, so every thread count computes bit-identical results.

/** [start, end) row ranges. */
export type RowRange = readonly [number, number];

/**
 * Default multiply-adds (or moved floats) below which a call runs on the calling thread alone: a pool round trip
 * costs tens of µs, about as much as this much work (KernelRuntimeOptions.minParallelWork).
 */
export const MIN_PARALLEL_WORK = 1 << 18;

/** `ranges` when the call's work (≥ minWork) pays for a pool round trip, else one range over all of them. */
export function slicesFor(ranges: readonly RowRange[], work: number, minWork = MIN_PARALLEL_WORK): readonly RowRange[] {
  if (ranges.length < 2 || work >= minWork) return ranges;
  return [[ranges[0][0], ranges[ranges.length - 1][1]]];
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
