// The run's timeline: samples of the fleet and the coordinator's queue over simulated time, and marks for faults.
// Filled by the runner while it runs; drawn by timeline-html.ts and kept in the JSON report.

export interface TimelineSample {
  readonly simMs: number;
  /** Devices connected, as the fleet sees them. */
  readonly devicesOnline: number;
  /** Job counts from the coordinator; null while it is down. */
  readonly jobs: { readonly queued: number; readonly running: number; readonly succeeded: number; readonly failed: number } | null;
}

export interface TimelineMark {
  readonly simMs: number;
  readonly label: string;
}

export interface Timeline {
  readonly samples: TimelineSample[];
  readonly marks: TimelineMark[];
}

export function emptyTimeline(): Timeline {
  return { samples: [], marks: [] };
}

/** Job counts from the coordinator's per-state counters (GET /api/stats). */
export function jobCounts(byState: Readonly<Record<string, number>>): NonNullable<TimelineSample['jobs']> {
  const count = (state: string): number => byState[state] ?? 0;
  return {
    queued: count('queued'),
    running: count('assigned') + count('running'),
    succeeded: count('succeeded'),
    failed: count('failed') + count('cancelled'),
  };
}
