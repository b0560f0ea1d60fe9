// `sparsefleet sim run`: one simulated run end to end. On virtual time (the default) see run-virtual.ts; on wall time
// (`time: wall`), a coordinator child process on a temporary SQLite dir with the heartbeat scaled by the time scale, an API key and an enrollment token, the VirtualFleet of the scenario's
// profiles, the work submitted, the seeded fault plan applied at its simulated times, progress lines while it runs,
// and at the end the invariants over what the fleet saw and what the coordinator stored.
import { rm } from 'node:fs/promises';
import { setTimeout as sleep } from 'node:timers/promises';
import { VirtualFleet, type VirtualFleetEvent } from '../virtual/index.js';
import { CoordinatorApi } from './coordinator-api.js';
import { CoordinatorProcess } from './coordinator-process.js';
import { planFaults, plannedDevices, summarizePlan, type FaultAction } from './fault-plan.js';
import { checkInvariants, type Assignment, type LeaseExpiry } from './invariants.js';
import { LivenessTracker } from './liveness.js';
import { applyFault, createStateDirs, describeAction, gatherObservations, JOBS_PER_SUBMISSION, LEASE_HEARTBEATS, loadProfiles, outcomeFigures, recordEvent, scenarioFleetOptions, submitWork } from './run-parts.js';
import type { LoadedScenario } from './scenario-file.js';
import { fleetSize } from './scenario-schema.js';
import type { CanonicalEvent } from './event-log.js';
import type { StartInProcessCoordinator } from './in-process-coordinator.js';
import { runVirtualScenario } from './run-virtual.js';
import { formatSimSpan } from './sim-duration.js';
import { emptyTimeline, jobCounts, type Timeline } from './timeline.js';
import { buildVerdict, type Verdict } from './verdict.js';

export interface RunScenarioOptions {
  /** Overrides the scenario's seed. */
  readonly seed?: number;
  /** Overrides the scenario's number of devices running the real engine. */
  readonly realEngines?: number;
  /** The `sparsefleet` entry script the coordinator runs from (default: bin/sparsefleet.js of this checkout). */
  readonly entry?: string;
  /** Progress lines (default: none). */
  readonly onProgress?: (line: string) => void;
  /** Wall ms between progress lines (default 2000). */
  readonly progressEveryMs?: number;
  /** Keep every fleet event and lease expiry for the event log (`--events FILE`). */
  readonly recordEvents?: boolean;
  /** Keep the temporary coordinator and device state (default: removed). */
  readonly keepState?: boolean;
  /** Overrides the scenario's time: 'virtual' or 'wall'. */
  readonly time?: 'virtual' | 'wall';
  /**
   * The server's startCoordinator, for runs on virtual time (the coordinator then runs in this process; the
   * simulator does not import the server itself). Required for them.
   */
  readonly startCoordinator?: StartInProcessCoordinator;
}

export interface ScenarioRun {
  readonly verdict: Verdict;
  readonly timeline: Timeline;
  /** Every fleet event and, as kind 'lease-expired', every lease expiry, by wall time (recordEvents only). */
  readonly eventLog: readonly EventLogEntry[];
  /** Virtual time: the canonical event log (event-log.ts), always kept; wall time: empty. */
  readonly events: readonly CanonicalEvent[];
  /** Where the coordinator's data and the devices' state lived (removed unless keepState). */
  readonly stateDir: string;
}

export type EventLogEntry = VirtualFleetEvent | (LeaseExpiry & { readonly kind: 'lease-expired'; readonly simMs: number });

/** Shortest heartbeat the runner asks the coordinator for (wall ms). */
const MIN_HEARTBEAT_MS = 100;
const SAMPLE_EVERY_MS = 500;

export async function runScenario(loaded: LoadedScenario, options: RunScenarioOptions = {}): Promise<ScenarioRun> {
  if ((options.time ?? loaded.scenario.time) === 'virtual') {
    if (!options.startCoordinator) throw new Error(`scenario ${loaded.scenario.name} runs on virtual time: give runScenario the server's startCoordinator (or run it with time: wall)`);
    const run = await runVirtualScenario(loaded, {
      start: options.startCoordinator,
      seed: options.seed ?? loaded.scenario.seed,
      realEngines: options.realEngines ?? loaded.scenario.realEngines,
      onProgress: options.onProgress ?? (() => undefined),
      progressEveryMs: options.progressEveryMs ?? 2_000,
      keepState: options.keepState ?? false,
    });
    return { ...run, eventLog: [] };
  }
  return runOnWallTime(loaded, options);
}

async function runOnWallTime(loaded: LoadedScenario, options: RunScenarioOptions): Promise<ScenarioRun> {
  const { scenario } = loaded;
  const startedAt = new Date();
  const startWall = Date.now();
  const seed = options.seed ?? scenario.seed;
  const timeScale = scenario.timeScale;
  const deviceCount = fleetSize(scenario);
  const realEngines = Math.min(options.realEngines ?? scenario.realEngines, deviceCount);
  const report = options.onProgress ?? (() => undefined);
  const say = (line: string): void => report(`${((Date.now() - startWall) / 1000).toFixed(1).padStart(6)} s  ${line}`);

  const profiles = await loadProfiles(loaded);
  const devicePlan = plannedDevices(scenario);
  const faults = planFaults(scenario, devicePlan, seed);
  const heartbeatMs = Math.max(MIN_HEARTBEAT_MS, Math.round(scenario.coordinator.heartbeat / timeScale));
  if (heartbeatMs * timeScale > scenario.coordinator.heartbeat) {
    say(`note: heartbeat ${formatSimSpan(scenario.coordinator.heartbeat)} at ${timeScale}× is under ${MIN_HEARTBEAT_MS} ms; using ${MIN_HEARTBEAT_MS} ms (${formatSimSpan(heartbeatMs * timeScale)} simulated)`);
  }
  const leaseMs = heartbeatMs * LEASE_HEARTBEATS;

  const { stateDir, dataDir, devicesDir } = await createStateDirs();

  const leaseExpiries: LeaseExpiry[] = [];
  const assignments: Assignment[] = [];
  const liveness = new LivenessTracker(deviceCount);
  const timeline = emptyTimeline();
  let events = 0;
  const eventLog: EventLogEntry[] = [];
  let fleetStartWall = Date.now();

  say(`scenario ${scenario.name}: ${deviceCount} devices, seed ${seed}, ${timeScale}× (heartbeat ${heartbeatMs} ms wall), faults ${JSON.stringify(summarizePlan(faults))}`);
  const coordinator = await CoordinatorProcess.start({ entry: options.entry, dataDir, heartbeatMs, enrollmentsPerMinute: deviceCount + 10, onLeaseExpiry: (expiry) => {
    leaseExpiries.push(expiry);
    if (options.recordEvents) eventLog.push({ ...expiry, kind: 'lease-expired', simMs: (expiry.wallMs - fleetStartWall) * timeScale });
    say(`lease expired: job ${expiry.jobId} attempt ${expiry.attempt} on device ${expiry.deviceId}`);
  } });
  let fleet: VirtualFleet | undefined;
  try {
    const api = new CoordinatorApi(coordinator.url, await coordinator.createApiKey());
    const enrollmentToken = await api.createEnrollmentToken(deviceCount);
    fleet = new VirtualFleet(scenarioFleetOptions({ loaded, profiles, devicePlan, server: coordinator.url, enrollmentToken, devicesDir, seed, realEngines, timeScale }));
    fleet.on('event', (event) => {
      events += 1;
      if (options.recordEvents) eventLog.push(event);
      recordEvent(event, event.wallMs, liveness, assignments);
    });
    say(`coordinator ${coordinator.url} (pid ${coordinator.pid}) with an API key and a token; starting ${deviceCount} virtual devices`);
    await fleet.start();
    fleetStartWall = Date.now();
    // Simulated time 0 is the booted fleet; the work is submitted from then on, while the clock and the faults run.
    say(`${deviceCount} devices connected; the clock starts; submitting the work`);
    let submitted: number | undefined;
    let submitError: Error | undefined;
    void submitWork(loaded, api, coordinator, JOBS_PER_SUBMISSION.wall).then(
      (count) => {
        submitted = count;
        say(`${count} jobs submitted`);
      },
      (error: unknown) => (submitError = error as Error),
    );
    const simNow = (): number => (Date.now() - fleetStartWall) * timeScale;
    const pending = new Set<FaultAction>(faults);
    const applied = { count: 0 };
    const timers = faults.map((action) =>
      setTimeout(() => {
        timeline.marks.push({ simMs: simNow(), label: describeAction(action) });
        if (action.kind.startsWith('coordinator')) say(describeAction(action));
        void applyFault(action, { fleet: fleet!, coordinator, liveness, timeScale, profiles: devicePlan.map((device) => profiles.get(device.profile)!), now: () => Date.now() })
          .then(() => {
            if (action.kind === 'coordinator-restart') {
              timeline.marks.push({ simMs: simNow(), label: `coordinator listening again (${action.cause})` });
              say('coordinator listening again');
            }
          })
          .catch((error: unknown) => say(`fault ${describeAction(action)} failed: ${(error as Error).message}`))
          .finally(() => {
            pending.delete(action);
            applied.count += 1;
          });
      }, Math.max(0, action.atSimMs / timeScale - (Date.now() - fleetStartWall))),
    );

    let lastProgress = 0;
    for (;;) {
      await sleep(SAMPLE_EVERY_MS);
      const online = fleet.devices.filter((device) => device.state === 'online').length;
      let counts: ReturnType<typeof jobCounts> | null = null;
      if (coordinator.running) counts = await api.jobCountsByState().then(jobCounts, () => null);
      timeline.samples.push({ simMs: simNow(), devicesOnline: online, jobs: counts });
      coordinator.peakRssBytes; // sampled while it lives: a SIGKILL loses the process's own high-water mark
      if (Date.now() - lastProgress >= (options.progressEveryMs ?? 2_000)) {
        lastProgress = Date.now();
        const jobs = counts ? `jobs ${counts.queued} queued, ${counts.running} running, ${counts.succeeded} done, ${counts.failed} failed` : 'coordinator down';
        say(`[sim ${formatSimSpan(simNow())}] ${online}/${deviceCount} online · ${jobs} · faults ${applied.count}/${faults.length}`);
      }
      const coordinatorPending = [...pending].some((action) => action.kind === 'coordinator-restart');
      if (submitError) throw submitError;
      const allDone = submitted !== undefined && counts !== null && counts.queued + counts.running === 0 && counts.succeeded + counts.failed >= submitted;
      // A device still reconnecting (after a coordinator restart or a healed partition) has not settled: ending now
      // would stop it mid-retry and hide whether it ever came back.
      const settling = fleet.devices.some((device) => device.state === 'disconnected' || device.state === 'starting');
      if ((allDone && !coordinatorPending && !settling) || simNow() >= scenario.duration) break;
    }
    for (const timer of timers) clearTimeout(timer);
    while ([...pending].some((action) => action.kind === 'coordinator-restart' || action.kind === 'coordinator-kill')) await sleep(50);
    if (!coordinator.running) await coordinator.restart();
    const simMs = simNow();
    const endWall = Date.now();
    say(`stopping the fleet at ${formatSimSpan(simMs)} simulated; checking invariants`);
    await fleet.stop();

    const observations = await gatherObservations({ api, fleet, assignments, leaseExpiries, liveness, endMs: endWall, leaseMs });
    const invariants = checkInvariants(observations);
    const wallMs = Date.now() - startWall;
    const verdict = buildVerdict({
      scenario: scenario.name,
      source: loaded.source,
      seed,
      timeScale,
      time: 'wall',
      startedAt: startedAt.toISOString(),
      invariants,
      figures: {
        devices: deviceCount,
        realEngines,
        ...outcomeFigures(observations),
        wallMs,
        simMs,
        events,
        eventsPerSecond: events / Math.max(0.001, (endWall - fleetStartWall) / 1000),
        leaseExpiries: leaseExpiries.length,
        coordinatorPeakRssBytes: coordinator.peakRssBytes,
        coordinatorRestarts: coordinator.restartCount,
        faults: summarizePlan(faults),
      },
    });
    eventLog.sort((a, b) => a.wallMs - b.wallMs);
    return { verdict, timeline, eventLog, events: [], stateDir };
  } finally {
    await fleet?.stop().catch(() => undefined);
    await coordinator.stop();
    if (!options.keepState) await rm(stateDir, { recursive: true, force: true });
  }
}

