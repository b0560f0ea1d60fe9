// The JSON report of a run: the verdict (invariants with every violation, figures), the timeline and, on virtual
// time, the canonical event log.
import type { CanonicalEvent } from './event-log.js';
import type { Timeline } from './timeline.js';
import type { Verdict } from './verdict.js';

export interface SimRunJson {
  readonly format: 'sparsefleet-sim-run/1';
  readonly verdict: Verdict;
  readonly timeline: Timeline;
  /** Virtual time: every event at its virtual time, in canonical order (absent on wall time). */
  readonly events?: readonly CanonicalEvent[];
}

export function verdictToJson(verdict: Verdict, timeline: Timeline, events: readonly CanonicalEvent[] = []): string {
  const report: SimRunJson = { format: 'sparsefleet-sim-run/1', verdict, timeline, ...(events.length > 0 ? { events } : {}) };
  return `${JSON.stringify(report, null, 2)}\n`;
}
