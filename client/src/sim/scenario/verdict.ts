// The verdict of a simulated run: the invariants' outcomes with the run's figures, and its text form for the console.
import type { FaultKind } from './fault-plan.js';
import type { InvariantOutcome } from './invariants.js';
import { formatSimSpan } from './sim-duration.js';

export interface RunFigures {
  readonly devices: number;
  readonly realEngines: number;
  readonly jobs: number;
  readonly succeeded: number;
  readonly failed: number;
  readonly unfinished: number;
  readonly wallMs: number;
  readonly simMs: number;
  /** Fleet events (device state changes, job starts and ends, acknowledged reports). */
  readonly events: number;
  readonly eventsPerSecond: number;
  readonly acknowledgedReports: number;
  readonly leaseExpiries: number;
  /** The coordinator process's largest resident set seen during the run (bytes; 0 when it could not be read). */
  readonly coordinatorPeakRssBytes: number;
  readonly coordinatorRestarts: number;
  readonly faults: Partial<Record<FaultKind, number>>;
  /** Virtual time only: timers the clock fired, and how many of them fired before the process was seen settled. */
  readonly clockSteps?: number;
  readonly forcedSteps?: number;
}

export interface Verdict {
  readonly scenario: string;
  readonly source: string;
  readonly seed: number;
  /** Wall mode: the scale asked for; virtual time: simulated ms per wall ms achieved. */
  readonly timeScale: number;
  /** 'virtual': one discrete-event clock for the coordinator and the fleet; 'wall': compressed real time. */
  readonly time: 'virtual' | 'wall';
  readonly startedAt: string;
  readonly passed: boolean;
  readonly figures: RunFigures;
  readonly invariants: readonly InvariantOutcome[];
}

export function buildVerdict(fields: Omit<Verdict, 'passed'>): Verdict {
  return { ...fields, passed: fields.invariants.every((outcome) => outcome.violations.length === 0) };
}

/** At most this many violations per invariant are printed (all are in the JSON and JUnit reports). */
const PRINTED_VIOLATIONS = 10;

export function formatVerdict(verdict: Verdict): string {
  const { figures } = verdict;
  const lines = [
    `scenario ${verdict.scenario} (seed ${verdict.seed}, ${verdict.time === 'virtual' ? `virtual time, ${verdict.timeScale}× wall` : `time scale ${verdict.timeScale}×`}): ${figures.devices} devices` +
      (figures.realEngines > 0 ? ` (${figures.realEngines} real engines)` : '') +
      `, ${figures.jobs} jobs: ${figures.succeeded} succeeded, ${figures.failed} failed, ${figures.unfinished} unfinished`,
    `  wall ${(figures.wallMs / 1000).toFixed(1)} s, simulated ${formatSimSpan(figures.simMs)}, ${figures.events} events (${Math.round(figures.eventsPerSecond)}/s), ` +
      `${figures.acknowledgedReports} acknowledged reports, ${figures.leaseExpiries} lease expiries, coordinator peak RSS ${(figures.coordinatorPeakRssBytes / 1_048_576).toFixed(0)} MiB, ` +
      `${figures.coordinatorRestarts} coordinator restart(s)` +
      (figures.clockSteps === undefined ? '' : `, ${figures.clockSteps} clock steps (${figures.forcedSteps ?? 0} forced)`),
    `  faults: ${Object.entries(figures.faults).map(([kind, count]) => `${kind} ${count}`).join(', ') || 'none'}`,
  ];
  for (const outcome of verdict.invariants) {
    const mark = outcome.violations.length === 0 ? 'ok  ' : 'FAIL';
    lines.push(`  ${mark} ${outcome.description} (${outcome.checked} checked${outcome.violations.length > 0 ? `, ${outcome.violations.length} violation(s)` : ''})`);
    for (const violation of outcome.violations.slice(0, PRINTED_VIOLATIONS)) lines.push(`         - ${violation.message}`);
    if (outcome.violations.length > PRINTED_VIOLATIONS) lines.push(`         … and ${outcome.violations.length - PRINTED_VIOLATIONS} more`);
  }
  lines.push(verdict.passed ? 'verdict: PASS' : `verdict: FAIL (${verdict.invariants.reduce((total, outcome) => total + outcome.violations.length, 0)} violation(s))`);
  return lines.join('\n');
}
