// Partial selection over score arrays: the k best (or worst) positions, the k-th largest value and numpy-style
// percentiles, in O(n) average time (quickselect with median-of-three pivots and a sort fallback that bounds the
// worst case at O(n log n)). Mask updates call these on every layer at every update, so nothing here sorts the whole
// layer.
//
// Ordering is strict and deterministic: by value, then by index (the lower index wins a tie, for top-k and
// bottom-k alike). NaN ranks below every number for top-k and above every number for bottom-k, i.e. it is the
// last thing ever chosen.

export type CandidatePredicate = (index: number) => boolean;

type Values = ArrayLike<number>;

/** Indices of the `k` largest values among candidates, in ascending index order. k is clamped to [0, #candidates]. */
export function topKIndices(values: Values, k: number, candidate?: CandidatePredicate): Uint32Array {
  return selectIndices(values, k, candidate, true);
}

/** Indices of the `k` smallest values among candidates, in ascending index order. k is clamped to [0, #candidates]. */
export function bottomKIndices(values: Values, k: number, candidate?: CandidatePredicate): Uint32Array {
  return selectIndices(values, k, candidate, false);
}

/**
 * The k-th largest value (k = 1 is the maximum) among candidates. Throws when there are fewer than k candidates or
 * k < 1.
 */
export function kthLargest(values: Values, k: number, candidate?: CandidatePredicate): number {
  const pool = gatherCandidates(values, candidate);
  if (!Number.isInteger(k) || k < 1 || k > pool.length) {
    throw new RangeError(`kthLargest: k=${k} outside [1, ${pool.length}]`);
  }
  const keyed = keyedValues(values, true);
  nthElement(pool, k - 1, strictBefore(keyed, true));
  return values[pool[k - 1]];
}

/**
 * numpy.percentile(values, q) with the default 'linear' method and numpy's float arithmetic, so thresholds match the
 * reference bit for bit: index (n−1)·(q/100), lerp a + (b−a)·t or b − (b−a)·(1−t) when t ≥ 0.5, computed in float32
 * when the input is a Float32Array (numpy keeps the array's dtype). q is in [0, 100]; NaN values are not supported.
 */
export function percentileLinear(values: Values, q: number): number {
  const n = values.length;
  if (n === 0) throw new RangeError('percentileLinear: empty input');
  if (!(q >= 0 && q <= 100)) throw new RangeError(`percentileLinear: q=${q} outside [0, 100]`);
  const virtualIndex = (n - 1) * (q / 100);
  const lower = Math.min(Math.floor(virtualIndex), n - 1);
  const t = virtualIndex - lower;
  const sorted = new Float64Array(values as ArrayLike<number>);
  const low = selectValue(sorted, lower);
  if (lower + 1 >= n) return low;
  // After selection everything right of `lower` is >= low; the next order statistic is their minimum.
  let high = Infinity;
  for (let i = lower + 1; i < n; i++) if (sorted[i] < high) high = sorted[i];
  const round = values instanceof Float32Array ? Math.fround : (x: number): number => x;
  const diff = round(high - low);
  return t >= 0.5 ? round(high - round(diff * round(1 - t))) : round(low + round(diff * round(t)));
}

function selectIndices(values: Values, k: number, candidate: CandidatePredicate | undefined, largest: boolean): Uint32Array {
  const pool = gatherCandidates(values, candidate);
  const count = Math.max(0, Math.min(Math.floor(k), pool.length));
  if (count === 0) return new Uint32Array(0);
  if (count < pool.length) nthElement(pool, count - 1, strictBefore(keyedValues(values, largest), largest));
  return pool.slice(0, count).sort();
}

function gatherCandidates(values: Values, candidate: CandidatePredicate | undefined): Uint32Array {
  const n = values.length;
  if (!candidate) {
    const all = new Uint32Array(n);
    for (let i = 0; i < n; i++) all[i] = i;
    return all;
  }
  let count = 0;
  const pool = new Uint32Array(n);
  for (let i = 0; i < n; i++) if (candidate(i)) pool[count++] = i;
  return pool.subarray(0, count);
}

/** The values with NaN replaced so that it ranks last; the input itself when it holds no NaN. */
function keyedValues(values: Values, largest: boolean): Values {
  for (let i = 0; i < values.length; i++) {
    if (Number.isNaN(values[i])) {
      const replacement = largest ? -Infinity : Infinity;
      return Float64Array.from(values as ArrayLike<number>, (v) => (Number.isNaN(v) ? replacement : v));
    }
  }
  return values;
}

type Before = (a: number, b: number) => boolean;

function strictBefore(values: Values, largest: boolean): Before {
  return largest
    ? (a, b) => values[a] > values[b] || (values[a] === values[b] && a < b)
    : (a, b) => values[a] < values[b] || (values[a] === values[b] && a < b);
}

/**
 * Rearranges `items` so that items[target] is the element a full sort by `before` would put there, everything left
 * of it comes before it and everything right of it after it. `before` must be a strict total order.
 */
function nthElement(items: Uint32Array, target: number, before: Before): void {
  let lo = 0;
  let hi = items.length - 1;
  let budget = 2 * Math.ceil(Math.log2(items.length + 1)) + 8;
  while (hi > lo) {
    if (budget-- <= 0) {
      const sorted = Array.from(items.subarray(lo, hi + 1)).sort((a, b) => (before(a, b) ? -1 : 1));
      items.set(sorted, lo);
      return;
    }
    const pivotAt = medianOfThree(items, lo, (lo + hi) >>> 1, hi, before);
    swap(items, pivotAt, hi);
    const pivot = items[hi];
    let store = lo;
    for (let i = lo; i < hi; i++) {
      if (before(items[i], pivot)) swap(items, i, store++);
    }
    swap(items, store, hi);
    if (store === target) return;
    if (target < store) hi = store - 1;
    else lo = store + 1;
  }
}

function medianOfThree(items: Uint32Array, a: number, b: number, c: number, before: Before): number {
  const x = items[a];
  const y = items[b];
  const z = items[c];
  if (before(x, y)) {
    if (before(y, z)) return b;
    return before(x, z) ? c : a;
  }
  if (before(x, z)) return a;
  return before(y, z) ? c : b;
}

function swap(items: Uint32Array | Float64Array, i: number, j: number): void {
  const tmp = items[i];
  items[i] = items[j];
  items[j] = tmp;
}

/** Quickselect on plain values (ascending); returns the target-th smallest and partitions around it. */
function selectValue(values: Float64Array, target: number): number {
  let lo = 0;
  let hi = values.length - 1;
  let budget = 2 * Math.ceil(Math.log2(values.length + 1)) + 8;
  while (hi > lo) {
    if (budget-- <= 0) {
      values.subarray(lo, hi + 1).sort();
      return values[target];
    }
    const mid = (lo + hi) >>> 1;
    // Median of three moved to hi as the pivot.
    if (values[mid] < values[lo]) swap(values, mid, lo);
    if (values[hi] < values[lo]) swap(values, hi, lo);
    if (values[mid] < values[hi]) swap(values, mid, hi);
    const pivot = values[hi];
    // Three-way partition so that runs of equal values (zeros in a sparse layer) do not degrade it.
    let lt = lo;
    let gt = hi;
    let i = lo;
    while (i <= gt) {
      if (values[i] < pivot) swap(values, i++, lt++);
      else if (values[i] > pivot) swap(values, i, gt--);
      else i++;
    }
    if (target < lt) hi = lt - 1;
    else if (target > gt) lo = gt + 1;
    else return pivot;
  }
  return values[target];
}
