// The invariants a simulated run must keep, checked after the run over two views: what the fleet saw (assignments,
// reports the coordinator acknowledged, when each device was live) and what the coordinator stored (jobs, results,
// progress keys, read over REST; lease expiries from its log). Pure: a unit test feeds it a dropped result or a
// duplicate and sees the violation.

export type InvariantName = 'job-finished-once' | 'no-acked-report-lost' | 'no-duplicate' | 'no-lease-expired-for-live-device' | 'memory-cap';

export const INVARIANTS: readonly { readonly name: InvariantName; readonly description: string }[] = [
  { name: 'job-finished-once', description: 'every job finished exactly once or failed with a stated reason' },
  { name: 'no-acked-report-lost', description: "every report a device saw acknowledged is in the coordinator's store" },
  { name: 'no-duplicate', description: 'no report stored twice, no job finished twice, no attempt run by two devices' },
  { name: 'no-lease-expired-for-live-device', description: 'no lease expired while its device was connected and reachable' },
  { name: 'memory-cap', description: "no job assigned to a device whose memory cap is below the job's memory estimate" },
];

export type ReportKind = 'progress' | 'result';

/** A job as the coordinator stored it at the end of the run. */
export interface StoredJob {
  readonly id: string;
  readonly name: string;
  readonly state: 'queued' | 'assigned' | 'running' | 'succeeded' | 'failed' | 'cancelled';
  readonly attempt: number;
  readonly waitingReason: string | null;
  /** The memory the job needs (the coordinator's estimate, bytes); null when it has none. */
  readonly memoryBytes: number | null;
  /** The results stored for the job (the coordinator keeps one; more is a duplicate). */
  readonly results: readonly { readonly attempt: number; readonly sequence: number; readonly deviceId: string; readonly outcome: 'succeeded' | 'failed' | 'cancelled'; readonly error: string }[];
  /** Keys of the stored progress reports. */
  readonly progress: readonly { readonly attempt: number; readonly sequence: number }[];
}

/** A report the coordinator acknowledged to a device (as the device saw it). */
export interface AcknowledgedReport {
  readonly deviceIndex: number;
  readonly jobId: string;
  readonly attempt: number;
  readonly kind: ReportKind;
  readonly sequence: number;
}

/** A job attempt a device started. */
export interface Assignment {
  readonly deviceIndex: number;
  readonly deviceId: string;
  readonly jobId: string;
  readonly attempt: number;
  readonly wallMs: number;
}

/** An attempt the coordinator abandoned because its lease passed (from its log). */
export interface LeaseExpiry {
  readonly jobId: string;
  readonly attempt: number;
  readonly deviceId: string;
  readonly wallMs: number;
}

export interface DeviceRecord {
  readonly index: number;
  readonly deviceId?: string;
  readonly profile: string;
  /** The memory the device's profile makes available to jobs. */
  readonly memoryCapBytes: number;
  /** Spans of wall time when the device was running, connected and its link neither partitioned nor lossy. */
  readonly liveSpans: readonly { readonly fromWallMs: number; readonly toWallMs: number }[];
}

export interface RunObservations {
  readonly jobs: readonly StoredJob[];
  readonly acknowledged: readonly AcknowledgedReport[];
  readonly assignments: readonly Assignment[];
  readonly leaseExpiries: readonly LeaseExpiry[];
  readonly devices: readonly DeviceRecord[];
  /** The coordinator's lease (wall ms): a device live this long before an expiry should have renewed it. */
  readonly leaseMs: number;
}

export interface Violation {
  readonly invariant: InvariantName;
  readonly message: string;
  readonly jobId?: string;
  readonly deviceIndex?: number;
}

export interface InvariantOutcome {
  readonly name: InvariantName;
  readonly description: string;
  /** How many things were checked (jobs, reports, assignments, expiries). */
  readonly checked: number;
  readonly violations: readonly Violation[];
}

export function checkInvariants(run: RunObservations): InvariantOutcome[] {
  const outcomes: Record<InvariantName, { checked: number; violations: Violation[] }> = {
    'job-finished-once': checkFinishedOnce(run),
    'no-acked-report-lost': checkAckedReportsStored(run),
    'no-duplicate': checkNoDuplicates(run),
    'no-lease-expired-for-live-device': checkLeases(run),
    'memory-cap': checkMemoryCaps(run),
  };
  return INVARIANTS.map(({ name, description }) => ({ name, description, ...outcomes[name] }));
}

function checkFinishedOnce(run: RunObservations): { checked: number; violations: Violation[] } {
  const violations: Violation[] = [];
  const invariant = 'job-finished-once';
  for (const job of run.jobs) {
    const where = `job ${job.name} (${job.id})`;
    if (job.state === 'succeeded') {
      const succeeded = job.results.filter((result) => result.outcome === 'succeeded');
      if (succeeded.length === 0) violations.push({ invariant, jobId: job.id, message: `${where} is succeeded but has no stored successful result` });
    } else if (job.state === 'failed' || job.state === 'cancelled') {
      const reason = job.waitingReason?.trim() || job.results.map((result) => result.error.trim()).find((error) => error !== '');
      if (!reason) violations.push({ invariant, jobId: job.id, message: `${where} is ${job.state} without a stated reason` });
    } else {
      const waiting = job.waitingReason ? ` (waiting: ${job.waitingReason})` : '';
      violations.push({ invariant, jobId: job.id, message: `${where} did not finish: still ${job.state} at attempt ${job.attempt}${waiting}` });
    }
  }
  return { checked: run.jobs.length, violations };
}

function checkAckedReportsStored(run: RunObservations): { checked: number; violations: Violation[] } {
  const invariant = 'no-acked-report-lost';
  const jobs = new Map(run.jobs.map((job) => [job.id, job]));
  const violations: Violation[] = [];
  for (const report of run.acknowledged) {
    const job = jobs.get(report.jobId);
    const what = `${report.kind} ${report.jobId} attempt ${report.attempt} #${report.sequence} (device ${report.deviceIndex})`;
    const stored =
      job !== undefined &&
      (report.kind === 'result'
        ? job.results.some((result) => result.attempt === report.attempt)
        : job.progress.some((progress) => progress.attempt === report.attempt && progress.sequence === report.sequence));
    if (!stored) violations.push({ invariant, jobId: report.jobId, deviceIndex: report.deviceIndex, message: `acknowledged ${what} is not in the coordinator's store` });
  }
  return { checked: run.acknowledged.length, violations };
}

function checkNoDuplicates(run: RunObservations): { checked: number; violations: Violation[] } {
  const invariant = 'no-duplicate';
  const violations: Violation[] = [];
  let checked = 0;
  for (const job of run.jobs) {
    const where = `job ${job.name} (${job.id})`;
    checked += job.progress.length + job.results.length;
    const seen = new Set<string>();
    for (const progress of job.progress) {
      const key = `${progress.attempt}/${progress.sequence}`;
      if (seen.has(key)) violations.push({ invariant, jobId: job.id, message: `${where}: progress attempt ${progress.attempt} #${progress.sequence} stored twice` });
      seen.add(key);
    }
    if (job.results.length > 1) {
      const attempts = job.results.map((result) => `${result.attempt}@${result.deviceId}`).join(', ');
      violations.push({ invariant, jobId: job.id, message: `${where} has ${job.results.length} stored results (attempts ${attempts})` });
    }
  }
  // Two devices acknowledged a successful result for one job: it finished twice.
  const successfulAcks = new Map<string, Set<string>>();
  for (const report of run.acknowledged) {
    if (report.kind !== 'result') continue;
    const job = run.jobs.find((candidate) => candidate.id === report.jobId);
    const result = job?.results.find((stored) => stored.attempt === report.attempt);
    if (result !== undefined && result.outcome !== 'succeeded') continue;
    const attempts = successfulAcks.get(report.jobId) ?? new Set<string>();
    attempts.add(`attempt ${report.attempt} on device ${report.deviceIndex}`);
    successfulAcks.set(report.jobId, attempts);
  }
  for (const [jobId, attempts] of successfulAcks) {
    if (attempts.size > 1) violations.push({ invariant, jobId, message: `job ${jobId} finished more than once: results acknowledged for ${[...attempts].join(' and ')}` });
  }
  // One attempt started on two devices: the coordinator assigned it twice.
  const holders = new Map<string, Set<string>>();
  for (const assignment of run.assignments) {
    checked += 1;
    const key = `${assignment.jobId}#${assignment.attempt}`;
    const devices = holders.get(key) ?? new Set<string>();
    devices.add(assignment.deviceId);
    holders.set(key, devices);
  }
  for (const [key, devices] of holders) {
    if (devices.size > 1) {
      const [jobId, attempt] = key.split('#');
      violations.push({ invariant, jobId, message: `job ${jobId} attempt ${attempt} was assigned to ${devices.size} devices (${[...devices].join(', ')})` });
    }
  }
  return { checked, violations };
}

function checkLeases(run: RunObservations): { checked: number; violations: Violation[] } {
  const invariant = 'no-lease-expired-for-live-device';
  const byDeviceId = new Map(run.devices.filter((device) => device.deviceId !== undefined).map((device) => [device.deviceId!, device]));
  const violations: Violation[] = [];
  for (const expiry of run.leaseExpiries) {
    const device = byDeviceId.get(expiry.deviceId);
    if (device === undefined) continue; // not one of the fleet's devices
    const from = expiry.wallMs - run.leaseMs;
    const span = device.liveSpans.find((candidate) => candidate.fromWallMs <= from && candidate.toWallMs >= expiry.wallMs);
    if (span) {
      violations.push({
        invariant,
        jobId: expiry.jobId,
        deviceIndex: device.index,
        message: `lease of job ${expiry.jobId} attempt ${expiry.attempt} expired although device ${device.index} (${expiry.deviceId}) was live for the whole lease (${run.leaseMs} ms; live from ${expiry.wallMs - span.fromWallMs} ms before the expiry to ${span.toWallMs - expiry.wallMs} ms after)`,
      });
    }
  }
  return { checked: run.leaseExpiries.length, violations };
}

function checkMemoryCaps(run: RunObservations): { checked: number; violations: Violation[] } {
  const invariant = 'memory-cap';
  const jobs = new Map(run.jobs.map((job) => [job.id, job]));
  const devices = new Map(run.devices.map((device) => [device.index, device]));
  const violations: Violation[] = [];
  for (const assignment of run.assignments) {
    const need = jobs.get(assignment.jobId)?.memoryBytes;
    const device = devices.get(assignment.deviceIndex);
    if (need == null || device === undefined) continue;
    if (need > device.memoryCapBytes) {
      violations.push({
        invariant,
        jobId: assignment.jobId,
        deviceIndex: device.index,
        message: `job ${assignment.jobId} attempt ${assignment.attempt} (needs ${mib(need)}) was assigned to device ${device.index} (${device.profile}, cap ${mib(device.memoryCapBytes)})`,
      });
    }
  }
  return { checked: run.assignments.length, violations };
}

function mib(bytes: number): string {
  return `${(bytes / 1_048_576).toFixed(1)} MiB`;
}
