// The canonical event log of a run on virtual time (issue 12): every fleet event, lease expiry and coordinator
// crash or restart at its virtual time since the fleet was booted (the boot's own events come before 0), with the run's random names replaced by stable ones
// (devices by fleet index, jobs by name, any other coordinator id by its order of first appearance), in a total
// order: by time, then device, kind, job, attempt and detail. Two runs of one scenario with one seed that behaved
// the same give equal logs, whatever order the events of one instant happened to be recorded in.

export interface CanonicalEvent {
  /** Virtual ms since the fleet was booted (negative: during the boot). */
  readonly simMs: number;
  /** Fleet index of the device; -1 for the coordinator. */
  readonly device: number;
  readonly kind: string;
  /** The job's name. */
  readonly job?: string;
  readonly attempt?: number;
  readonly detail?: string;
}

/** An event as recorded, with the ids the run drew. */
export interface RecordedEvent {
  /** The virtual clock's time. */
  readonly atMs: number;
  readonly device: number;
  readonly kind: string;
  readonly jobId?: string;
  readonly attempt?: number;
  readonly detail?: string;
}

const UUID = /[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}/gi;

export class EventLogRecorder {
  private readonly recorded: RecordedEvent[] = [];

  record(event: RecordedEvent): void {
    this.recorded.push(event);
  }

  get size(): number {
    return this.recorded.length;
  }

  /**
   * The log with times since `originMs` and stable names: `jobNames` maps job ids to names, `deviceIndexes` device
   * ids to fleet indexes; ids neither names are numbered in their order of first appearance in the sorted log.
   */
  canonical(originMs: number, jobNames: ReadonlyMap<string, string>, deviceIndexes: ReadonlyMap<string, number>): CanonicalEvent[] {
    const others = new Map<string, string>();
    const rename = (id: string): string => {
      const job = jobNames.get(id);
      if (job !== undefined) return `job:${job}`;
      const device = deviceIndexes.get(id);
      if (device !== undefined) return `device:${device}`;
      let other = others.get(id);
      if (other === undefined) others.set(id, (other = `id:${others.size + 1}`));
      return other;
    };
    const named = this.recorded.map((event): CanonicalEvent => {
      const job = event.jobId === undefined ? undefined : (jobNames.get(event.jobId) ?? event.jobId);
      return {
        simMs: event.atMs - originMs,
        device: event.device,
        kind: event.kind,
        ...(job === undefined ? {} : { job }),
        ...(event.attempt === undefined ? {} : { attempt: event.attempt }),
        ...(event.detail === undefined ? {} : { detail: event.detail }),
      };
    });
    // Ids left in details are renamed after sorting by everything else, so their numbering is stable too.
    named.sort((a, b) => compareEvents(a, b, false));
    const canonical = named.map((event) => (event.detail === undefined ? event : { ...event, detail: event.detail.replace(UUID, rename) }));
    return canonical.sort((a, b) => compareEvents(a, b, true));
  }
}

function compareEvents(a: CanonicalEvent, b: CanonicalEvent, withDetail: boolean): number {
  return (
    a.simMs - b.simMs ||
    a.device - b.device ||
    compareText(a.kind, b.kind) ||
    compareText(a.job ?? '', b.job ?? '') ||
    (a.attempt ?? 0) - (b.attempt ?? 0) ||
    (withDetail ? compareText(a.detail ?? '', b.detail ?? '') : 0)
  );
}

function compareText(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}

/** The first place two logs differ (index and both entries), or undefined when they are equal. */
export function firstDifference(
  a: readonly CanonicalEvent[],
  b: readonly CanonicalEvent[],
): { readonly index: number; readonly a?: CanonicalEvent; readonly b?: CanonicalEvent } | undefined {
  const length = Math.max(a.length, b.length);
  for (let index = 0; index < length; index += 1) {
    if (JSON.stringify(a[index]) !== JSON.stringify(b[index])) return { index, a: a[index], b: b[index] };
  }
  return undefined;
}
