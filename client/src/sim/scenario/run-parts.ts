// The parts a simulated run is made of, whichever time it runs on (wall-compressed with a coordinator child process,
// or virtual with the coordinator in-process): the profiles, the work submitted, the fleet events turned into
// liveness and assignments, the faults applied, and the observations the invariants judge.
import { mkdir, mkdtemp } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Clock } from '../../agent/clock.js';
import { createModelledEngine, loadDeviceProfile, type DeviceProfile } from '../profiles/index.js';
import { modelledEngineOptions, type VirtualFleet, type VirtualFleetEvent, type VirtualFleetOptions } from '../virtual/index.js';
import type { CoordinatorApi } from './coordinator-api.js';
import type { FaultAction, PlannedDevice } from './fault-plan.js';
import type { AcknowledgedReport, Assignment, LeaseExpiry, RunObservations } from './invariants.js';
import type { LivenessTracker } from './liveness.js';
import { resolveProfileReference, type LoadedScenario } from './scenario-file.js';
import { submitAcrossOutages } from './submit-across-outages.js';
import type { RunFigures } from './verdict.js';

/** The coordinator's lease is this many heartbeats (its default heartbeat patience). */
export const LEASE_HEARTBEATS = 3;
const MiB = 1_048_576;

/** The coordinator as the faults see it: a child process or an in-process one. */
export interface SimCoordinator {
  readonly running: boolean;
  /** Dies without a goodbye (SIGKILL, or its in-process stand-in). */
  kill(): Promise<void>;
  /** Starts again on the same database and address. */
  restart(): Promise<void>;
}

/** A temporary folder for one run: the coordinator's data dir and the devices' state files. */
export async function createStateDirs(): Promise<{ readonly stateDir: string; readonly dataDir: string; readonly devicesDir: string }> {
  const stateDir = await mkdtemp(join(tmpdir(), 'sparsefleet-sim-'));
  const dataDir = join(stateDir, 'coordinator');
  const devicesDir = join(stateDir, 'devices');
  await mkdir(dataDir);
  await mkdir(devicesDir);
  return { stateDir, dataDir, devicesDir };
}

export async function loadProfiles(loaded: LoadedScenario): Promise<Map<string, DeviceProfile>> {
  const profiles = new Map<string, DeviceProfile>();
  for (const group of loaded.scenario.fleet) {
    if (!profiles.has(group.profile)) profiles.set(group.profile, await loadDeviceProfile(resolveProfileReference(group.profile, loaded.source)));
  }
  return profiles;
}

/** What a run knows when it builds its fleet; the time-specific parts (clock, boot spacing) are passed as they are. */
export interface ScenarioFleetInput {
  readonly loaded: LoadedScenario;
  readonly profiles: ReadonlyMap<string, DeviceProfile>;
  readonly devicePlan: readonly PlannedDevice[];
  readonly server: string;
  readonly enrollmentToken: string;
  readonly devicesDir: string;
  readonly seed: number;
  readonly realEngines: number;
  readonly timeScale: number;
  readonly clock?: Clock;
  readonly bootSpacingMs?: number;
}

/** The VirtualFleet of a scenario: its groups of profiles, each device's modelled engine, the run's seed and time. */
export function scenarioFleetOptions(input: ScenarioFleetInput): VirtualFleetOptions {
  const { loaded, profiles, devicePlan } = input;
  const profileOf = (name: string): DeviceProfile => {
    const profile = profiles.get(name);
    if (!profile) throw new Error(`profile ${name} was not loaded`);
    return profile;
  };
  return {
    server: input.server,
    enrollmentToken: input.enrollmentToken,
    stateDir: input.devicesDir,
    timeScale: input.timeScale,
    seed: input.seed,
    ...(input.clock ? { clock: input.clock } : {}),
    ...(input.bootSpacingMs !== undefined ? { bootSpacingMs: input.bootSpacingMs } : {}),
    devices: loaded.scenario.fleet.map((group) => ({ profile: profileOf(group.profile), count: group.count, labels: group.labels })),
    realEngines: input.realEngines,
    engineFor: (request) => createModelledEngine(profileOf(devicePlan[request.index]!.profile), modelledEngineOptions(request)),
  };
}

/**
 * Jobs per submission on each time line. Wall time: one, since each submission runs an assignment pass over the idle
 * devices, and 16 jobs at a time against 1,000 idle devices held the coordinator's event loop long enough that leases
 * of live devices expired. Virtual time holds the clock while it submits, so no lease can expire meanwhile: whole
 * batches (the coordinator's limit), one transaction and one assignment pass each instead of one per job.
 */
export const JOBS_PER_SUBMISSION = { wall: 1, virtual: 100 } as const;

/** Submits the scenario's jobs (or its campaign), in order, `jobsPerSubmission` per request; returns how many it made. */
export async function submitWork(loaded: LoadedScenario, api: CoordinatorApi, coordinator: { readonly running: boolean }, jobsPerSubmission: number): Promise<number> {
  if (loaded.campaign) {
    await api.submitCampaign(loaded.campaign);
    return (await api.listJobs()).length;
  }
  const bodies = loaded.jobBatches.flatMap((batch) => Array.from({ length: batch.count }, (_, n) => ({ ...batch.body, name: `${batch.name}-${n + 1}` })));
  for (let start = 0; start < bodies.length; start += jobsPerSubmission) {
    await submitAcrossOutages(api, coordinator, bodies.slice(start, start + jobsPerSubmission));
  }
  return bodies.length;
}

/** Feeds one fleet event to the liveness tracker and the assignments; `atMs` is its time on the run's time line. */
export function recordEvent(event: VirtualFleetEvent, atMs: number, liveness: LivenessTracker, assignments: Assignment[]): void {
  switch (event.kind) {
    case 'connected':
      liveness.connected(event.deviceIndex, atMs);
      break;
    case 'disconnected':
    case 'killed':
    case 'offline':
    case 'error':
      liveness.gone(event.deviceIndex, atMs);
      break;
    case 'job-started':
      if (event.jobId !== undefined && event.attempt !== undefined && event.deviceId !== undefined) {
        assignments.push({ deviceIndex: event.deviceIndex, deviceId: event.deviceId, jobId: event.jobId, attempt: event.attempt, wallMs: atMs });
      }
      break;
    default:
      break;
  }
}

/** Progress reports and results the coordinator acknowledged, from every device (their keys end in the sequence). */
export function acknowledgedReports(fleet: VirtualFleet): AcknowledgedReport[] {
  const reports: AcknowledgedReport[] = [];
  for (const device of fleet.devices) {
    for (const record of device.acknowledgedReports()) {
      const kind = record.kind === 'JobResult' ? 'result' : record.kind === 'ProgressReport' ? 'progress' : undefined;
      if (kind === undefined) continue;
      const sequence = Number(record.key.slice(record.key.lastIndexOf('|') + 1));
      reports.push({ deviceIndex: device.index, jobId: record.jobId, attempt: record.attempt, kind, sequence });
    }
  }
  return reports;
}

/** What the invariants judge, read from the coordinator and the fleet at the end of a run (`endMs` on its time line). */
export async function gatherObservations(input: {
  readonly api: CoordinatorApi;
  readonly fleet: VirtualFleet;
  readonly assignments: readonly Assignment[];
  readonly leaseExpiries: readonly LeaseExpiry[];
  readonly liveness: LivenessTracker;
  readonly endMs: number;
  readonly leaseMs: number;
}): Promise<RunObservations> {
  return {
    jobs: await input.api.storedJobs(),
    acknowledged: acknowledgedReports(input.fleet),
    assignments: input.assignments,
    leaseExpiries: input.leaseExpiries,
    devices: input.fleet.devices.map((device) => ({
      index: device.index,
      deviceId: device.deviceId,
      profile: device.profile.name,
      memoryCapBytes: device.profile.memory.availableMb * MiB,
      liveSpans: input.liveness.spans(device.index, input.endMs),
    })),
    leaseMs: input.leaseMs,
  };
}

/** The verdict's figures about the jobs and the reports, from the observations. */
export function outcomeFigures(observations: RunObservations): Pick<RunFigures, 'jobs' | 'succeeded' | 'failed' | 'unfinished' | 'acknowledgedReports'> {
  const jobs = observations.jobs.length;
  const succeeded = observations.jobs.filter((job) => job.state === 'succeeded').length;
  const failed = observations.jobs.filter((job) => job.state === 'failed' || job.state === 'cancelled').length;
  return { jobs, succeeded, failed, unfinished: jobs - succeeded - failed, acknowledgedReports: observations.acknowledged.length };
}

export interface FaultContext {
  readonly fleet: VirtualFleet;
  readonly coordinator: SimCoordinator;
  readonly liveness: LivenessTracker;
  /** Simulated ms per ms of the run's time line (1 on virtual time). */
  readonly timeScale: number;
  /** Each device's profile, by index (a link fault's end restores the profile's link). */
  readonly profiles: readonly DeviceProfile[];
  /** Now on the run's time line (wall ms, or the virtual clock's ms). */
  readonly now: () => number;
}

export async function applyFault(action: FaultAction, context: FaultContext): Promise<void> {
  const now = context.now();
  switch (action.kind) {
    case 'coordinator-kill':
      await context.coordinator.kill();
      return;
    case 'coordinator-restart':
      await context.coordinator.restart();
      return;
    case 'kill':
      await context.fleet.device(action.device).kill(action.cause);
      return;
    case 'restart': {
      const device = context.fleet.device(action.device);
      // A device the availability model holds offline comes back on its own schedule.
      if (device.state === 'offline') return;
      await device.restart();
      return;
    }
    case 'partition':
      context.liveness.partitioned(action.device, now, action.forSimMs / context.timeScale);
      context.fleet.device(action.device).partition(action.forSimMs);
      return;
    case 'link':
      context.liveness.linkImpaired(action.device, now, true);
      context.fleet.device(action.device).setLink(action.link);
      return;
    case 'link-restore': {
      const { network } = context.profiles[action.device]!;
      context.fleet.device(action.device).setLink({ latencyMs: network.latencyMs, jitterMs: network.jitterMs, lossRate: network.lossRate, duplicateRate: 0, reorderRate: 0 });
      context.liveness.linkImpaired(action.device, now, false);
      return;
    }
  }
}

export function describeAction(action: FaultAction): string {
  const device = 'device' in action ? ` device ${action.device}` : '';
  const label = action.kind === 'coordinator-kill' ? 'coordinator killed (SIGKILL)' : action.kind === 'coordinator-restart' ? 'coordinator restarting' : `${action.kind}${device}`;
  return `${label} (${action.cause})`;
}
