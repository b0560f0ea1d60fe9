// The JSON report of a run: the verdict (invariants with every violation, figures) and the timeline.
import type { Timeline } from './timeline.js';
import type { Verdict } from './verdict.js';

export interface SimRunJson {
  readonly format: 'sparsefleet-sim-run/1';
  readonly verdict: Verdict;
  readonly timeline: Timeline;
}

export function verdictToJson(verdict: Verdict, timeline: Timeline): string {
  const report: SimRunJson = { format: 'sparsefleet-sim-run/1', verdict, timeline };
  return `${JSON.stringify(report, null, 2)}\n`;
}
