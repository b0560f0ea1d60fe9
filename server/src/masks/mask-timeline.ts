// Pure pieces of the mask history of a job: which stored updates make up its timeline across attempts, and the
// metrics of one mask after another.
//
// Timeline: an attempt's updates count until a later attempt that reported masks took over, i.e. while their step
// is below the first step of every later attempt (a retried attempt resumes from a checkpoint and reports the
// restored masks first, in full). Within an attempt updates follow their index.
//
// Metrics of a mask M_t after M_{t-1} (totals over every reported layer):
//   churn     = |M_t xor M_{t-1}| / (|M_{t-1}| + |M_t|)   — the fraction of active weights that changed; for an
//               update that keeps the active count (SET, RigL) it is pruned / active; null for the first mask;
//   ITOP rate = |M_0 ∪ … ∪ M_t| / weights                — the fraction of weights ever active so far (Liu et al.,
//               "Do we actually need dense over-parameterization? In-time over-parameterization").

export interface TimelineEntry {
  readonly attempt: number;
  readonly updateIndex: number;
  readonly step: number;
}

export function timelineOf<T extends TimelineEntry>(updates: readonly T[]): T[] {
  const byAttempt = new Map<number, T[]>();
  for (const update of updates) {
    const list = byAttempt.get(update.attempt) ?? [];
    list.push(update);
    byAttempt.set(update.attempt, list);
  }
  const attempts = [...byAttempt.keys()].sort((a, b) => a - b);
  for (const list of byAttempt.values()) list.sort((a, b) => a.updateIndex - b.updateIndex);
  const startOf = (attempt: number) => byAttempt.get(attempt)![0].step;
  const timeline: T[] = [];
  attempts.forEach((attempt, position) => {
    const cutoff = Math.min(Infinity, ...attempts.slice(position + 1).map(startOf));
    for (const update of byAttempt.get(attempt)!) if (update.step < cutoff) timeline.push(update);
  });
  return timeline;
}

/** The last entry at or before `step`, or undefined when the timeline starts later. */
export function entryAt<T extends TimelineEntry>(timeline: readonly T[], step: number): T | undefined {
  let found: T | undefined;
  for (const entry of timeline) if (entry.step <= step) found = entry;
  return found;
}

export type LayerMasks = ReadonlyMap<string, Uint8Array>;

/** The masks at a point of the timeline and the union of every mask up to it. */
export interface MaskHistoryState {
  readonly masks: LayerMasks;
  readonly everActive: LayerMasks;
}

export interface MaskMetrics {
  readonly active: number;
  readonly total: number;
  /** Null for the first mask of a timeline. */
  readonly pruned: number | null;
  readonly grown: number | null;
  readonly churn: number | null;
  readonly everActive: number;
  readonly itopRate: number;
}

/** The metrics of `masks` following `previous` (none for the first), and the state that follows. */
export function advanceHistory(previous: MaskHistoryState | undefined, masks: LayerMasks): { state: MaskHistoryState; metrics: MaskMetrics } {
  let active = 0;
  let total = 0;
  let pruned = 0;
  let grown = 0;
  let activeBefore = 0;
  let everActive = 0;
  const union = new Map<string, Uint8Array>();
  for (const [layer, mask] of masks) {
    total += mask.length;
    const before = previous?.masks.get(layer);
    const comparable = before !== undefined && before.length === mask.length;
    const seen = previous?.everActive.get(layer);
    const ever = seen !== undefined && seen.length === mask.length ? seen.slice() : new Uint8Array(mask.length);
    for (let i = 0; i < mask.length; i++) {
      const on = mask[i] !== 0;
      if (on) {
        active += 1;
        ever[i] = 1;
      }
      if (comparable) {
        const was = before[i] !== 0;
        if (was) activeBefore += 1;
        if (was && !on) pruned += 1;
        else if (!was && on) grown += 1;
      }
      everActive += ever[i];
    }
    union.set(layer, ever);
  }
  const first = previous === undefined;
  const changed = pruned + grown;
  const denominator = activeBefore + active;
  return {
    state: { masks, everActive: union },
    metrics: {
      active,
      total,
      pruned: first ? null : pruned,
      grown: first ? null : grown,
      churn: first ? null : denominator === 0 ? 0 : changed / denominator,
      everActive,
      itopRate: total === 0 ? 0 : everActive / total,
    },
  };
}
