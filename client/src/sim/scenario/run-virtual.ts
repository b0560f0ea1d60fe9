// A simulated run on virtual time (issue 12): the coordinator in this process and every virtual device share one
// VirtualClock; time jumps from one due timer to the next once the process has settled (socket frames read,
// database writes done, promises resolved), so an hour of fleet time takes as long as the work in it and a seeded
// run is repeatable. Faults, timeline samples and the deadline are timers on the same clock; the run's own REST
// calls hold the clock while they are in flight. The result carries the canonical event log (event-log.ts).
import { rm } from 'node:fs/promises';
import { VirtualClock, VirtualFleet } from '../virtual/index.js';
import { CoordinatorApi } from './coordinator-api.js';
import { EventLogRecorder, type CanonicalEvent } from './event-log.js';
import { planFaults, plannedDevices, summarizePlan, type FaultAction } from './fault-plan.js';
import { InProcessCoordinator, type StartInProcessCoordinator } from './in-process-coordinator.js';
import { checkInvariants, type Assignment, type LeaseExpiry } from './invariants.js';
import { LivenessTracker } from './liveness.js';
import { applyFault, createStateDirs, describeAction, gatherObservations, JOBS_PER_SUBMISSION, LEASE_HEARTBEATS, loadProfiles, outcomeFigures, recordEvent, scenarioFleetOptions, submitWork } from './run-parts.js';
import type { LoadedScenario } from './scenario-file.js';
import { fleetSize } from './scenario-schema.js';
import { formatSimSpan } from './sim-duration.js';
import { emptyTimeline, jobCounts, type Timeline, type TimelineSample } from './timeline.js';
import { buildVerdict, type Verdict } from './verdict.js';

export interface VirtualRunOptions {
  readonly start: StartInProcessCoordinator;
  readonly seed: number;
  readonly realEngines: number;
  readonly onProgress: (line: string) => void;
  readonly progressEveryMs: number;
  readonly keepState: boolean;
}

export interface VirtualRun {
  readonly verdict: Verdict;
  readonly timeline: Timeline;
  readonly events: readonly CanonicalEvent[];
  readonly stateDir: string;
}

/** Where virtual time starts (a fixed instant: stored timestamps are the same in every run). */
const VIRTUAL_EPOCH_MS = Date.UTC(2026, 0, 1);
/** Virtual ms between two devices' boots: each enrolls at its own instant, in index order. */
const BOOT_SPACING_MS = 1;
/** Timeline samples (and the end-of-work check) per run. */
const SAMPLES_PER_RUN = 200;
const MIN_SAMPLE_EVERY_MS = 5_000;

export async function runVirtualScenario(loaded: LoadedScenario, options: VirtualRunOptions): Promise<VirtualRun> {
  const { scenario } = loaded;
  const startedAt = new Date();
  const startWall = Date.now();
  const { seed } = options;
  const deviceCount = fleetSize(scenario);
  const realEngines = Math.min(options.realEngines, deviceCount);
  const say = (line: string): void => options.onProgress(`${((Date.now() - startWall) / 1000).toFixed(1).padStart(6)} s  ${line}`);

  const profiles = await loadProfiles(loaded);
  const devicePlan = plannedDevices(scenario);
  const faults = planFaults(scenario, devicePlan, seed);
  const heartbeatMs = scenario.coordinator.heartbeat;
  const leaseMs = heartbeatMs * LEASE_HEARTBEATS;

  const { stateDir, dataDir, devicesDir } = await createStateDirs();

  // A step is forced only when work has not settled for this long: generous, because on a loaded CI machine a starved
  // process can take seconds to settle, and a forced step is where a seeded run stops being repeatable.
  const clock = new VirtualClock({ startMs: VIRTUAL_EPOCH_MS, watchActivity: true, maxSettleWallMs: 10_000 });
  // Simulated time 0 is the booted fleet (the faults' times count from there); the boot's events come before it.
  let fleetStartMs = clock.now();
  const simNow = (): number => clock.now() - fleetStartMs;
  const log = new EventLogRecorder();
  const leaseExpiries: LeaseExpiry[] = [];
  const assignments: Assignment[] = [];
  const liveness = new LivenessTracker(deviceCount);
  const timeline = emptyTimeline();
  let events = 0;

  say(`scenario ${scenario.name}: ${deviceCount} devices, seed ${seed}, virtual time (heartbeat ${formatSimSpan(heartbeatMs)}), faults ${JSON.stringify(summarizePlan(faults))}`);
  const coordinator = await InProcessCoordinator.start({
    start: options.start,
    clock,
    dataDir,
    heartbeatMs,
    onLeaseExpiry: (expiry) => {
      leaseExpiries.push(expiry);
      log.record({ atMs: expiry.wallMs, device: -1, kind: 'lease-expired', jobId: expiry.jobId, attempt: expiry.attempt, detail: expiry.deviceId });
    },
  });
  let fleet: VirtualFleet | undefined;
  const drive = (work: Promise<unknown>): Promise<void> => driveUntilSettled(clock, work);
  try {
    const api = new CoordinatorApi(coordinator.url, await coordinator.createApiKey());
    const enrollmentToken = await api.createEnrollmentToken(deviceCount);
    fleet = new VirtualFleet(
      scenarioFleetOptions({ loaded, profiles, devicePlan, server: coordinator.url, enrollmentToken, devicesDir, seed, realEngines, timeScale: 1, clock, bootSpacingMs: BOOT_SPACING_MS }),
    );
    const theFleet = fleet;
    theFleet.on('event', (event) => {
      events += 1;
      const atMs = clock.now();
      recordEvent(event, atMs, liveness, assignments);
      log.record({ atMs, device: event.deviceIndex, kind: event.kind, jobId: event.jobId, attempt: event.attempt, detail: event.detail });
    });
    say(`coordinator ${coordinator.url} in this process with an API key and a token; booting ${deviceCount} virtual devices`);
    await drive(theFleet.start());
    say(`${deviceCount} devices connected after ${formatSimSpan(simNow())} of simulated boot; simulated time 0; submitting the work`);
    fleetStartMs = clock.now();
    const submitted = await clock.track(submitWork(loaded, api, coordinator, JOBS_PER_SUBMISSION.virtual));
    say(`${submitted} jobs submitted`);

    const pending = new Set<FaultAction>(faults);
    for (const action of faults) {
      clock.setTimeout(() => {
        timeline.marks.push({ simMs: simNow(), label: describeAction(action) });
        if (action.kind.startsWith('coordinator')) {
          say(describeAction(action));
          log.record({ atMs: clock.now(), device: -1, kind: action.kind === 'coordinator-kill' ? 'coordinator-crashed' : 'coordinator-restarted', detail: action.cause });
        }
        const context = { fleet: theFleet, coordinator, liveness, timeScale: 1, profiles: devicePlan.map((device) => profiles.get(device.profile)!), now: () => clock.now() };
        // A coordinator's crash or boot holds the clock (nothing may happen meanwhile that the boot would miss); a
        // device's restart runs on the clock (its hello crosses the simulated link) and must not hold it.
        const applied = applyFault(action, context);
        void (action.kind.startsWith('coordinator') ? clock.track(applied) : applied)
          .then(() => {
            if (action.kind === 'coordinator-restart') timeline.marks.push({ simMs: simNow(), label: `coordinator listening again (${action.cause})` });
          })
          .catch((error: unknown) => say(`fault ${describeAction(action)} failed: ${(error as Error).message}`))
          .finally(() => pending.delete(action));
      }, action.atSimMs);
    }

    let latest: TimelineSample | undefined;
    const sampleEveryMs = Math.max(MIN_SAMPLE_EVERY_MS, Math.round(scenario.duration / SAMPLES_PER_RUN));
    const sample = (): void => {
      const online = theFleet.devices.filter((device) => device.state === 'online').length;
      const counts = coordinator.running ? clock.track(api.jobCountsByState().then(jobCounts, () => null)) : Promise.resolve(null);
      void counts.then((jobs) => {
        latest = { simMs: simNow(), devicesOnline: online, jobs };
        timeline.samples.push(latest);
      });
      clock.setTimeout(sample, sampleEveryMs);
    };
    sample();

    let lastProgress = Date.now();
    const progressEveryMs = options.progressEveryMs;
    for (;;) {
      const stepped = await clock.step();
      if (Date.now() - lastProgress >= progressEveryMs && latest) {
        lastProgress = Date.now();
        const jobs = latest.jobs ? `jobs ${latest.jobs.queued} queued, ${latest.jobs.running} running, ${latest.jobs.succeeded} done, ${latest.jobs.failed} failed` : 'coordinator down';
        say(`[sim ${formatSimSpan(simNow())}] ${latest.devicesOnline}/${deviceCount} online · ${jobs} · faults ${faults.length - pending.size}/${faults.length}`);
      }
      if (stepped === undefined || simNow() >= scenario.duration) break;
      const counts = latest?.jobs;
      const allDone = counts != null && counts.queued + counts.running === 0 && counts.succeeded + counts.failed >= submitted;
      const coordinatorPending = [...pending].some((action) => action.kind === 'coordinator-restart');
      // A device still reconnecting (after a coordinator restart or a healed partition) has not settled.
      const settling = theFleet.devices.some((device) => device.state === 'disconnected' || device.state === 'starting');
      if (allDone && !coordinatorPending && !settling) break;
    }
    const simMs = simNow();
    await clock.quiescent();
    if (!coordinator.running) await clock.track(coordinator.restart());
    const endMs = clock.now();
    const endWall = Date.now();
    say(`stopping the fleet at ${formatSimSpan(simMs)} simulated (${clock.stepCount} clock steps, ${clock.forcedSteps} forced); checking invariants`);
    await drive(theFleet.stop());

    const observations = await clock.track(gatherObservations({ api, fleet: theFleet, assignments, leaseExpiries, liveness, endMs, leaseMs }));
    const invariants = checkInvariants(observations);
    const jobNames = new Map(observations.jobs.map((job) => [job.id, job.name]));
    const deviceIndexes = new Map(theFleet.devices.flatMap((device) => (device.deviceId ? [[device.deviceId, device.index] as const] : [])));
    const verdict = buildVerdict({
      scenario: scenario.name,
      source: loaded.source,
      seed,
      timeScale: Math.round(simMs / Math.max(1, endWall - startWall)),
      time: 'virtual',
      startedAt: startedAt.toISOString(),
      invariants,
      figures: {
        devices: deviceCount,
        realEngines,
        ...outcomeFigures(observations),
        wallMs: Date.now() - startWall,
        simMs,
        events,
        eventsPerSecond: events / Math.max(0.001, (endWall - startWall) / 1000),
        leaseExpiries: leaseExpiries.length,
        // The coordinator shares this process: its peak is the process's (fleet and runner included).
        coordinatorPeakRssBytes: process.resourceUsage().maxRSS * 1024,
        coordinatorRestarts: coordinator.restartCount,
        faults: summarizePlan(faults),
        clockSteps: clock.stepCount,
        forcedSteps: clock.forcedSteps,
      },
    });
    return { verdict, timeline, events: log.canonical(fleetStartMs, jobNames, deviceIndexes), stateDir };
  } finally {
    await drive(fleet?.stop() ?? Promise.resolve()).catch(() => undefined);
    await drive(coordinator.stop()).catch(() => undefined);
    clock.dispose();
    if (!options.keepState) await rm(stateDir, { recursive: true, force: true });
  }
}

/** Steps the clock until `work` settles (work that waits on the clock: booting, stopping), then returns its outcome. */
async function driveUntilSettled(clock: VirtualClock, work: Promise<unknown>): Promise<void> {
  let settled = false;
  const outcome = work.finally(() => (settled = true));
  outcome.catch(() => undefined);
  while (!settled) {
    if ((await clock.step(() => settled)) === undefined && !settled) await clock.quiescent();
  }
  await outcome;
}
