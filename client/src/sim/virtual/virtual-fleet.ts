// Many virtual devices in one process against a real coordinator (issue 12). Every device is the real agent with
// its profile's facts, a simulated link and a modelled engine (the first `realEngines` run the real one), so a
// simulation exercises the real protocol, outbox, checkpoints and resume. Durations are simulated and waited out
// divided by `timeScale`; seeded draws make each device's plan (link, availability) the same for the same seed.
import { join } from 'node:path';
import { realClock, sleepOn, type Clock } from '../../agent/clock.js';
import type { BackoffOptions } from '../../agent/connection.js';
import type { TrainingEngine } from '../../agent/training-engine.js';
import { TypedEvents } from '../../agent/typed-events.js';
import { AvailabilityCycle, drawnSessions, traceSessions, type Session } from './availability.js';
import type { VirtualFleetEvent } from './fleet-event.js';
import { createRng, type Rng } from '../../engine/util/rng.js';
import { createModelledEngine, isTraceAvailability, type ModelledEngineOptions, loadAvailabilityTrace, type AvailabilityTrace, type DeviceProfile } from '../profiles/index.js';
import { SimulatedLink } from './simulated-link.js';
import { VirtualDevice, type DeviceEvent } from './virtual-device.js';

export interface FleetGroup {
  readonly profile: DeviceProfile;
  readonly count: number;
  readonly labels?: Readonly<Record<string, string>>;
}

/** What an engine factory gets for one device. */
export interface EngineRequest {
  readonly index: number;
  readonly profile: DeviceProfile;
  readonly timeScale: number;
  /** The device's own seed, derived from the fleet seed and its index. */
  readonly seed: number;
  /** The fleet's clock when it is not the real one (the engine then paces on it). */
  readonly clock?: Clock;
  /** The pacer slice on that clock (clock ms). */
  readonly sliceMs: number;
}

export interface VirtualFleetOptions {
  readonly server: string;
  readonly enrollmentToken: string;
  /** Each device keeps its credential in `<stateDir>/device-<index>.json`. */
  readonly stateDir: string;
  /** Simulated time per wall time (30: an hour of fleet time in two minutes). */
  readonly timeScale: number;
  readonly seed: number;
  readonly devices: readonly FleetGroup[];
  /** The first N devices run the real engine (tfjs) instead of a modelled one (`--real N`). */
  readonly realEngines?: number;
  /** The engine of each other device; default: the profile's modelled engine (createModelledEngine). */
  readonly engineFor?: (request: EngineRequest) => TrainingEngine;
  /** Run the profiles' availability churn: drawn sessions, or the profile's trace replayed (default true). */
  readonly availability?: boolean;
  /** Devices booting at the same time during start() (default 100). */
  readonly startConcurrency?: number;
  /** Wall ms start() waits for every device's first hello (default 120 s). */
  readonly startTimeoutMs?: number;
  /** Wall ms a device waits for a reply before retrying (default max(2 s, 10 s / timeScale)). */
  readonly requestTimeoutMs?: number;
  readonly backoff?: Partial<BackoffOptions>;
  readonly progressEverySteps?: number;
  readonly checkpointEverySteps?: number;
  /**
   * One time source for every device, its link and its availability (default the real clock). With a VirtualClock
   * (discrete-event virtual time) use timeScale 1: durations are then waited out on the virtual clock as they are.
   */
  readonly clock?: Clock;
  /**
   * Boot the devices one at a time, this many clock ms apart, instead of `startConcurrency` at once: on virtual time
   * each device then enrolls at its own instant, in index order, so the coordinator's order of devices (by enrollment
   * time) is the same in every run. Someone must step the clock while start() runs.
   */
  readonly bootSpacingMs?: number;
  /** Pacer slice of the modelled engines on a clock other than the real one (clock ms; default 10,000). */
  readonly engineSliceMs?: number;
}

/** The modelled engines' pacer slice on a virtual clock: a timer per 10 simulated seconds of training per device. */
const VIRTUAL_ENGINE_SLICE_MS = 10_000;

const MIN_REQUEST_TIMEOUT_MS = 2_000;

export class VirtualFleet extends TypedEvents<{ event: [event: VirtualFleetEvent] }> {
  readonly devices: readonly VirtualDevice[];
  private cycles: AvailabilityCycle[] = [];
  private readonly clock: Clock;
  private startedAtMs: number;
  private stopped = false;

  constructor(private readonly options: VirtualFleetOptions) {
    super();
    if (!(options.timeScale > 0)) throw new RangeError(`timeScale must be positive, got ${options.timeScale}`);
    this.clock = options.clock ?? realClock;
    this.startedAtMs = this.clock.now();
    this.devices = this.createDevices();
  }

  /** Simulated milliseconds since start(). */
  get simNowMs(): number {
    return (this.clock.now() - this.startedAtMs) * this.options.timeScale;
  }

  get timeScale(): number {
    return this.options.timeScale;
  }

  /** Boots every device (bounded concurrency); resolves once each said hello. Then the availability churn starts. */
  async start(): Promise<void> {
    this.startedAtMs = this.clock.now();
    const timeoutMs = this.options.startTimeoutMs ?? 120_000;
    const queue = [...this.devices];
    const failures: string[] = [];
    const spacingMs = this.options.bootSpacingMs;
    const boot = async (): Promise<void> => {
      for (let device = queue.shift(); device; device = queue.shift()) {
        try {
          await device.start();
        } catch (error) {
          failures.push(`device ${device.index}: ${(error as Error).message}`);
        }
        if (spacingMs !== undefined && queue.length > 0) await sleepOn(this.clock, spacingMs);
      }
    };
    const concurrency = spacingMs === undefined ? (this.options.startConcurrency ?? 100) : 1;
    const workers = Array.from({ length: Math.min(concurrency, queue.length) }, boot);
    await withTimeout(Promise.all(workers), timeoutMs, () => {
      const waiting = this.devices.filter((device) => device.state === 'starting' || device.state === 'idle');
      return `${waiting.length} virtual devices did not connect within ${timeoutMs} ms (first: ${waiting.slice(0, 5).map((d) => d.index).join(', ')})`;
    });
    if (failures.length > 0) throw new Error(`${failures.length} virtual devices failed to start: ${failures.slice(0, 5).join('; ')}`);
    if (this.options.availability ?? true) await this.startAvailability();
  }

  /** Stops churn and every device gracefully. */
  async stop(): Promise<void> {
    this.stopped = true;
    for (const cycle of this.cycles) cycle.stop();
    await Promise.all(this.devices.map((device) => device.stop()));
  }

  device(index: number): VirtualDevice {
    const device = this.devices[index];
    if (!device) throw new RangeError(`no virtual device ${index} (fleet of ${this.devices.length})`);
    return device;
  }

  private createDevices(): VirtualDevice[] {
    const { options } = this;
    const devices: VirtualDevice[] = [];
    const backoff = scaledBackoff(options.timeScale, options.backoff);
    // socket.io's reconnection loop runs on wall time: on another clock the devices reconnect on that clock.
    const onOwnClock = this.clock !== realClock;
    const requestTimeoutMs = options.requestTimeoutMs ?? Math.max(MIN_REQUEST_TIMEOUT_MS, 10_000 / options.timeScale);
    for (const group of options.devices) {
      for (let member = 0; member < group.count; member++) {
        const index = devices.length;
        const { profile } = group;
        const seed = deviceStream(options.seed, index, 'engine').seed;
        const real = index < (options.realEngines ?? 0);
        const link = new SimulatedLink(
          {
            latencyMs: profile.network.latencyMs,
            jitterMs: profile.network.jitterMs,
            lossRate: profile.network.lossRate,
            bandwidthKbps: profile.network.bandwidthKbps,
            duplicateRate: 0,
            reorderRate: 0,
          },
          { timeScale: options.timeScale, random: deviceStream(options.seed, index, 'link'), clock: this.clock },
        );
        const device = new VirtualDevice({
          index,
          profile,
          server: options.server,
          enrollmentToken: options.enrollmentToken,
          statePath: join(options.stateDir, `device-${index}.json`),
          labels: {
            simulated: 'true',
            profile: profile.name,
            fleetIndex: String(index),
            engine: real ? 'real' : 'modelled',
            ...group.labels,
          },
          timeScale: options.timeScale,
          engine: real ? undefined : (options.engineFor ?? modelledEngine)({ index, profile, timeScale: options.timeScale, seed, clock: onOwnClock ? this.clock : undefined, sliceMs: options.engineSliceMs ?? VIRTUAL_ENGINE_SLICE_MS }),
          link,
          backoff: onOwnClock ? { ...backoff, reconnectOnClock: true, random: deviceStream(options.seed, index, 'backoff').next } : backoff,
          requestTimeoutMs,
          clock: this.clock,
          progressEverySteps: options.progressEverySteps,
          checkpointEverySteps: options.checkpointEverySteps,
          emit: (event) => this.record(event),
        });
        devices.push(device);
      }
    }
    return devices;
  }

  private async startAvailability(): Promise<void> {
    const traces = new Map<string, AvailabilityTrace>();
    for (const { profile } of this.devices) {
      const { availability } = profile;
      if (isTraceAvailability(availability) && !traces.has(availability.trace)) traces.set(availability.trace, await loadAvailabilityTrace(availability));
    }
    if (this.stopped) return;
    this.cycles = this.devices.map((device) => {
      const { availability } = device.profile;
      const sessions = isTraceAvailability(availability)
        ? traceSessions(traces.get(availability.trace)!)
        : drawnSessions(availability, deviceStream(this.options.seed, device.index, 'availability'));
      return this.availabilityOf(device, sessions);
    });
    for (const cycle of this.cycles) cycle.start();
  }

  private availabilityOf(device: VirtualDevice, sessions: Iterator<Session>): AvailabilityCycle {
    return new AvailabilityCycle(sessions, this.options.timeScale, {
      goOffline: (offlineSimMs) => {
        if (this.stopped || !device.isRunning) return;
        device.markOffline();
        this.record({ deviceIndex: device.index, deviceId: device.deviceId, kind: 'offline', detail: `${Math.round(offlineSimMs / 60_000)} sim min` });
        void device.kill('offline');
      },
      comeOnline: () => {
        // A device a fault killed stays down until the fault restarts it.
        if (this.stopped || device.state !== 'offline') return;
        this.record({ deviceIndex: device.index, deviceId: device.deviceId, kind: 'online' });
        device.restart().catch((error: Error) =>
          this.record({ deviceIndex: device.index, deviceId: device.deviceId, kind: 'error', detail: `restart failed: ${error.message}` }),
        );
      },
    }, this.clock);
  }

  private record(event: DeviceEvent): void {
    this.emit('event', { ...event, wallMs: Date.now(), simMs: this.simNowMs });
  }
}

/** Each device's own stream for one purpose: the same (seed, index, purpose) always draws the same plan. */
export function deviceStream(seed: number, index: number, purpose: string): Rng {
  return createRng(seed).derive(`device-${index}`).derive(purpose);
}

function modelledEngine(request: EngineRequest): TrainingEngine {
  return createModelledEngine(request.profile, modelledEngineOptions(request));
}

/** The modelled engine's options for one device of the fleet (on the fleet's clock when it has its own). */
export function modelledEngineOptions(request: EngineRequest): ModelledEngineOptions {
  return request.clock
    ? { timeScale: request.timeScale, seed: request.seed, clock: request.clock, sliceMs: request.sliceMs }
    : { timeScale: request.timeScale, seed: request.seed };
}

/** socket.io's reconnection backoff, compressed like every other duration (with floors that spare the coordinator). */
function scaledBackoff(timeScale: number, override: Partial<BackoffOptions> | undefined): BackoffOptions {
  return {
    reconnectionDelayMs: Math.max(50, 500 / timeScale),
    reconnectionDelayMaxMs: Math.max(500, 15_000 / timeScale),
    randomizationFactor: 0.5,
    ...override,
  };
}

function withTimeout<T>(promise: Promise<T>, timeoutMs: number, message: () => string): Promise<T> {
  let timer: ReturnType<typeof setTimeout> | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(message())), timeoutMs);
  });
  return Promise.race([promise, timeout]).finally(() => clearTimeout(timer));
}
