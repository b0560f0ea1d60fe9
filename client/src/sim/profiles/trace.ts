// Availability traces in the spirit of FedScale's client behaviour traces: when a device is online, as intervals of
// device time. The file is CSV, one interval a line, `online_minute,offline_minute` (minutes from the start of the
// simulation, ascending, not overlapping); `#` starts a comment; an optional `online_minute,offline_minute` header.
// A simulation longer than the trace repeats it, shifted by `period` (the last offline minute, or the `# period: N`
// comment when the trace should end with an offline gap).

export interface OnlineInterval {
  readonly onlineMinute: number;
  readonly offlineMinute: number;
}

export interface AvailabilityTrace {
  readonly intervals: readonly OnlineInterval[];
  /** Minutes after which the trace repeats. */
  readonly periodMinutes: number;
}

export class AvailabilityTraceError extends Error {
  constructor(source: string, line: number, message: string) {
    super(`${source}:${line}: ${message}`);
    this.name = 'AvailabilityTraceError';
  }
}

const PERIOD_COMMENT = /^#\s*period:\s*(\S+)\s*$/;

export function parseAvailabilityTrace(text: string, source: string): AvailabilityTrace {
  const intervals: OnlineInterval[] = [];
  let period: number | undefined;
  const lines = text.split(/\r?\n/);
  lines.forEach((raw, index) => {
    const lineNumber = index + 1;
    const line = raw.trim();
    const periodMatch = PERIOD_COMMENT.exec(line);
    if (periodMatch) {
      period = Number(periodMatch[1]);
      if (!Number.isFinite(period) || period <= 0) throw new AvailabilityTraceError(source, lineNumber, 'period must be a number > 0');
      return;
    }
    if (line === '' || line.startsWith('#') || /^online_minute\s*,\s*offline_minute$/.test(line)) return;
    const fields = line.split(',').map((field) => field.trim());
    if (fields.length !== 2) throw new AvailabilityTraceError(source, lineNumber, 'expected online_minute,offline_minute');
    const [onlineMinute, offlineMinute] = fields.map(Number);
    if (!Number.isFinite(onlineMinute) || !Number.isFinite(offlineMinute) || onlineMinute < 0) {
      throw new AvailabilityTraceError(source, lineNumber, 'minutes must be numbers >= 0');
    }
    if (offlineMinute <= onlineMinute) throw new AvailabilityTraceError(source, lineNumber, 'offline_minute must be after online_minute');
    const previous = intervals.at(-1);
    if (previous && onlineMinute < previous.offlineMinute) {
      throw new AvailabilityTraceError(source, lineNumber, 'intervals must be ascending and must not overlap');
    }
    intervals.push({ onlineMinute, offlineMinute });
  });
  const last = intervals.at(-1);
  if (last === undefined) throw new AvailabilityTraceError(source, lines.length, 'the trace has no intervals');
  const periodMinutes = period ?? last.offlineMinute;
  if (periodMinutes < last.offlineMinute) throw new AvailabilityTraceError(source, lines.length, `period ${periodMinutes} ends before the last interval`);
  return { intervals, periodMinutes };
}

/** Whether the device is online at `minute` of the simulation (the trace repeating every period). */
export function isOnlineAt(trace: AvailabilityTrace, minute: number): boolean {
  const within = minute % trace.periodMinutes;
  return trace.intervals.some((interval) => within >= interval.onlineMinute && within < interval.offlineMinute);
}
