// Availability churn of one virtual device from its profile: online sessions and offline gaps drawn (seeded) from
// the profile's distributions, in simulated minutes, waited out in compressed real time. Going offline is a crash
// (phones and boards lose power or network without a goodbye); coming back is a restart on the same state.
import type { Rng } from '../../engine/util/rng.js';
import { sampleDistribution, type DeviceProfile } from '../profiles/index.js';

export interface AvailabilityHandlers {
  goOffline(offlineSimMs: number): void;
  comeOnline(): void;
}

const MINUTE_MS = 60_000;

export class AvailabilityCycle {
  private timer: ReturnType<typeof setTimeout> | undefined;
  private stopped = false;

  constructor(
    private readonly profile: DeviceProfile,
    private readonly random: Rng,
    private readonly timeScale: number,
    private readonly handlers: AvailabilityHandlers,
  ) {}

  /** Whether the profile models sessions (trace-driven availability is not cycled here). */
  get modelled(): boolean {
    return 'sessionMinutes' in this.profile.availability;
  }

  /** Starts with an online session (the device was just switched on). */
  start(): void {
    if (!this.modelled) return;
    this.scheduleOffline();
  }

  stop(): void {
    this.stopped = true;
    if (this.timer) clearTimeout(this.timer);
    this.timer = undefined;
  }

  private scheduleOffline(): void {
    const availability = this.profile.availability;
    if (!('sessionMinutes' in availability)) return;
    const sessionMs = Math.max(0, sampleDistribution(availability.sessionMinutes, this.random)) * MINUTE_MS;
    const offlineMs = Math.max(0, sampleDistribution(availability.offlineMinutes, this.random)) * MINUTE_MS;
    this.after(sessionMs, () => {
      this.handlers.goOffline(offlineMs);
      this.after(offlineMs, () => {
        this.handlers.comeOnline();
        this.scheduleOffline();
      });
    });
  }

  private after(simMs: number, run: () => void): void {
    if (this.stopped) return;
    this.timer = setTimeout(() => {
      this.timer = undefined;
      if (!this.stopped) run();
    }, simMs / this.timeScale);
    this.timer.unref?.();
  }
}
