// `jobs watch`: polls each job (state, latest progress, device) once a second until every one is terminal.
// Rendering is left to a JobWatchView, so the loop is testable without a terminal.
import { isTerminalJobState, type Job, type JobProgress, type JobResult } from './api-types.js';
import { CoordinatorUnreachableError } from './errors.js';
import type { OperatorApi } from './operator-api.js';

export interface WatchedJob {
  readonly job: Job;
  readonly progress: JobProgress | undefined;
  /** The device's display name, once known. */
  readonly deviceName: string | undefined;
  /** Fetched once the job is terminal (undefined when the coordinator has none, e.g. cancelled while queued). */
  readonly result: JobResult | undefined;
}

export interface JobWatchView {
  /** Called after every poll with one entry per watched job, in the order asked for. */
  update(jobs: readonly WatchedJob[]): void;
  /** Called once at the end (also on errors and interrupts). */
  stop(): void;
}

export interface WatchOptions {
  /** Default 1000 ms. */
  readonly intervalMs?: number;
  /** Aborting ends the watch early with the latest snapshots. */
  readonly signal?: AbortSignal;
  /** Consecutive polls the coordinator may miss (restart, network blip) before the watch gives up. Default 30. */
  readonly maxMissedPolls?: number;
}

export async function watchJobs(
  api: OperatorApi,
  jobIds: readonly string[],
  view: JobWatchView,
  options: WatchOptions = {},
): Promise<WatchedJob[]> {
  const intervalMs = options.intervalMs ?? 1000;
  const maxMissed = options.maxMissedPolls ?? 30;
  const deviceNames = new DeviceNameCache(api);
  const snapshots = new Map<string, WatchedJob>();
  let missed = 0;
  try {
    while (!options.signal?.aborted) {
      try {
        await Promise.all(
          jobIds
            .filter((id) => !isSettled(snapshots.get(id)))
            .map(async (id) => snapshots.set(id, await pollJob(api, id, deviceNames))),
        );
        missed = 0;
      } catch (error) {
        if (!(error instanceof CoordinatorUnreachableError) || ++missed > maxMissed) throw error;
      }
      const current = jobIds.map((id) => snapshots.get(id)).filter((entry): entry is WatchedJob => entry !== undefined);
      if (current.length > 0) view.update(current);
      if (current.length === jobIds.length && current.every(isSettled)) break;
      await sleep(intervalMs, options.signal);
    }
  } finally {
    view.stop();
  }
  return jobIds.map((id) => snapshots.get(id)).filter((entry): entry is WatchedJob => entry !== undefined);
}

/** A job is settled once it is terminal and its final progress and result have been read. */
function isSettled(entry: WatchedJob | undefined): boolean {
  return entry !== undefined && isTerminalJobState(entry.job.state);
}

async function pollJob(api: OperatorApi, id: string, deviceNames: DeviceNameCache): Promise<WatchedJob> {
  const job = await api.getJob(id);
  // Progress is read after the state so a terminal state is always paired with the final reports.
  const [reports, result] = await Promise.all([
    api.listProgress(id),
    isTerminalJobState(job.state) ? api.getResult(id) : Promise.resolve(undefined),
  ]);
  const progress = latestProgress(reports);
  const deviceId = job.deviceId ?? progress?.deviceId ?? null;
  return { job, progress, deviceName: deviceId ? await deviceNames.nameOf(deviceId) : undefined, result };
}

/** The report with the highest (attempt, sequence). */
export function latestProgress(reports: readonly JobProgress[]): JobProgress | undefined {
  let latest: JobProgress | undefined;
  for (const report of reports) {
    if (!latest || report.attempt > latest.attempt || (report.attempt === latest.attempt && report.sequence > latest.sequence)) {
      latest = report;
    }
  }
  return latest;
}

class DeviceNameCache {
  private readonly names = new Map<string, Promise<string | undefined>>();

  constructor(private readonly api: OperatorApi) {}

  nameOf(deviceId: string): Promise<string | undefined> {
    let name = this.names.get(deviceId);
    if (!name) {
      // A device that cannot be read (revoked, deleted) is shown by id; no need to fail the watch for it.
      name = this.api.getDevice(deviceId).then(
        (device) => device.displayName,
        () => {
          this.names.delete(deviceId);
          return undefined;
        },
      );
      this.names.set(deviceId, name);
    }
    return name;
  }
}

function sleep(ms: number, signal: AbortSignal | undefined): Promise<void> {
  return new Promise((resolve) => {
    if (signal?.aborted) return resolve();
    const timer = setTimeout(done, ms);
    signal?.addEventListener('abort', done, { once: true });
    function done() {
      clearTimeout(timer);
      signal?.removeEventListener('abort', done);
      resolve();
    }
  });
}
