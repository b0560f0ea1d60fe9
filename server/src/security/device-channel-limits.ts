// Limits of the device channel, each charged to whoever spends it: frames per device (per connection before a
// device has an id: many devices may enroll from one address, and enrollments per address have their own limit), enrollments per address, and failed authentication per address and per device id. The REST
// throttler does not apply here (it is scoped to HTTP). In-memory per coordinator process; rate-limiter-flexible
// has Redis-backed limiters with the same interface for a coordinator of several nodes.
import { Inject, Injectable, Logger } from '@nestjs/common';
import { RateLimiterMemory, RateLimiterRes } from 'rate-limiter-flexible';
import { ErrorCode, ProtocolFault } from '../../../protocol/src/index.js';
import { COORDINATOR_CONFIG, type CoordinatorConfig, type RateLimit } from '../config/coordinator-config.js';
import { MetricsService } from '../metrics/metrics.service.js';
import { FailedAuthBackoff } from './failed-auth-backoff.js';
import { SenderTurns, type ReleaseTurn } from './sender-turns.js';

/** Who a frame is charged to: a device id, or the connection (and its address, for logs) that has none yet. */
export interface FrameSender {
  readonly deviceId?: string;
  /** The enrollment token of a connection that has not enrolled yet. */
  readonly enrollmentTokenId?: string;
  readonly connectionId: string;
  readonly address: string;
}

export type FrameAdmission =
  | { readonly admitted: true; readonly endTurn: ReleaseTurn }
  | { readonly admitted: false; readonly retryAfterMs: number; readonly disconnect: boolean };

/**
 * Frames of one sender handled at once, and frames that may wait for their turn: room for what an agent overlaps (a
 * heartbeat, a report from its outbox, a checkpoint piece, a hello), far below a rate budget (300) in flight at once.
 */
export const FRAMES_IN_FLIGHT_PER_SENDER = 4;
export const FRAMES_WAITING_PER_SENDER = 12;
// A sender whose turn queue is full is told to retry after about this long.
const TURN_RETRY_AFTER_MS = 1000;

@Injectable()
export class DeviceChannelLimits {
  private readonly logger = new Logger('Fleet');
  private readonly frames: RateLimiterMemory;
  private readonly refusals: RateLimiterMemory;
  private readonly enrollments: RateLimiterMemory;
  private readonly failedAuth = new FailedAuthBackoff();
  private readonly turns = new SenderTurns(FRAMES_IN_FLIGHT_PER_SENDER, FRAMES_WAITING_PER_SENDER);
  /** Devices (and enrollment tokens per address) disconnected for flooding, until when their handshakes are refused. */
  private readonly floodCooldowns = new Map<string, number>();
  private readonly floodCooldownPeriodMs: number;

  constructor(
    @Inject(COORDINATOR_CONFIG) config: CoordinatorConfig,
    private readonly metrics: MetricsService,
  ) {
    this.frames = limiterFor(config.deviceFrameRateLimit, 'frames');
    this.refusals = limiterFor(config.floodDisconnectLimit, 'refusals');
    this.enrollments = limiterFor(config.enrollmentRateLimit, 'enrollments');
    this.floodCooldownPeriodMs = config.floodDisconnectLimit.windowMs;
  }

  /**
   * Charges one frame to its sender and waits for the sender's turn (FRAMES_IN_FLIGHT_PER_SENDER at once); the
   * caller ends the turn when the frame is handled. A sender over its rate, or with FRAMES_WAITING_PER_SENDER frames
   * already waiting, is refused (and warned about once per window); one that keeps sending past
   * `floodDisconnectLimit` refusals is to be disconnected.
   */
  async admitFrame(sender: FrameSender): Promise<FrameAdmission> {
    const key = senderKey(sender);
    const charged = await consume(this.frames, key);
    if (!charged.ok) return this.refuse(sender, key, charged.res.msBeforeNext, 'frame rate');
    const turn = this.turns.take(key);
    if (!turn) return this.refuse(sender, key, TURN_RETRY_AFTER_MS, 'frames waiting to be handled');
    return { admitted: true, endTurn: await turn };
  }

  private async refuse(sender: FrameSender, key: string, retryAfterMs: number, over: string): Promise<FrameAdmission> {
    const refusal = await consume(this.refusals, key);
    const disconnect = !refusal.ok;
    const cooldownKey = floodCooldownKey(sender);
    if (disconnect && cooldownKey) this.startCooldown(cooldownKey, Date.now());
    if (refusal.res.consumedPoints === 1) {
      this.logger.warn(`[Fleet.RateLimit] ${describe(sender)} is over its ${over}; refusing frames for ${retryAfterMs} ms`);
    }
    this.metrics.deviceFrameRefused(disconnect ? 'flood-disconnect' : 'rate');
    return { admitted: false, retryAfterMs, disconnect };
  }

  /**
   * How long a device disconnected for flooding still has its handshakes refused (0: not cooling down). Checked
   * before its credential, so a flooder that reconnects at once costs a refusal rather than a connection's work.
   */
  floodCooldownMs(deviceId: string, now = Date.now()): number {
    return this.cooldownLeft(`device:${deviceId}`, now);
  }

  /**
   * The same for an enrollment token used from `address`: an enrollment connection dropped for flooding cannot come
   * straight back with the token. Other addresses keep using a shared fleet token.
   */
  enrollmentFloodCooldownMs(tokenId: string, address: string, now = Date.now()): number {
    return this.cooldownLeft(`enrollment:${tokenId}@${address}`, now);
  }

  /** Expired cooldowns of flooders that never came back are dropped here, so the map holds current ones only. */
  private startCooldown(key: string, now: number): void {
    for (const [other, until] of this.floodCooldowns) if (until <= now) this.floodCooldowns.delete(other);
    this.floodCooldowns.set(key, now + this.floodCooldownPeriodMs);
  }

  private cooldownLeft(key: string, now: number): number {
    const until = this.floodCooldowns.get(key);
    if (until === undefined) return 0;
    if (until > now) return until - now;
    this.floodCooldowns.delete(key);
    return 0;
  }

  /**
   * Whether an authentication attempt from `address` (claiming `deviceId`, if any) is backing off: `waitMs` > 0.
   * `checkAnyway`: the device id authenticated from this address before, so its secret is still checked and a
   * right one is let in; a wrong one is answered as blocked. Otherwise a blocked attempt is refused unchecked.
   */
  authGate(address: string, deviceId?: string): { readonly waitMs: number; readonly checkAnyway: boolean } {
    const waitMs = this.failedAuth.retryAfterMs(address, deviceId);
    if (waitMs === 0) return { waitMs, checkAnyway: true };
    this.metrics.authAttemptBlocked();
    return { waitMs, checkAnyway: deviceId !== undefined && this.failedAuth.isTrustedPair(address, deviceId) };
  }

  /** A wrong credential, an unknown enrollment token or a wrong re-enrollment proof. */
  authFailed(address: string, deviceId?: string): void {
    this.failedAuth.recordFailure(address, deviceId);
  }

  authSucceeded(address: string, deviceId: string): void {
    this.failedAuth.recordSuccess(address, deviceId);
  }

  /** Charges one enrollment to the address; the milliseconds to wait when over the limit, else 0. */
  async chargeEnrollment(address: string): Promise<number> {
    const charged = await consume(this.enrollments, address);
    return charged.ok ? 0 : charged.res.msBeforeNext;
  }
}

/** The refusal of an attempt made while its address (or the claimed device id) backs off after failures. */
export function backingOff(waitMs: number): ProtocolFault {
  return new ProtocolFault(ErrorCode.ERROR_CODE_RATE_LIMITED, `too many failed authentication attempts; retry in ${Math.ceil(waitMs / 1000)} s`);
}

function limiterFor(limit: RateLimit, keyPrefix: string): RateLimiterMemory {
  return new RateLimiterMemory({ keyPrefix, points: limit.limit, duration: limit.windowMs / 1000 });
}

async function consume(limiter: RateLimiterMemory, key: string): Promise<{ ok: boolean; res: RateLimiterRes }> {
  try {
    return { ok: true, res: await limiter.consume(key) };
  } catch (rejection) {
    if (rejection instanceof RateLimiterRes) return { ok: false, res: rejection };
    throw rejection;
  }
}

function floodCooldownKey(sender: FrameSender): string | undefined {
  if (sender.deviceId) return `device:${sender.deviceId}`;
  return sender.enrollmentTokenId ? `enrollment:${sender.enrollmentTokenId}@${sender.address}` : undefined;
}

function senderKey(sender: FrameSender): string {
  return sender.deviceId ? `device:${sender.deviceId}` : `connection:${sender.connectionId}`;
}

function describe(sender: FrameSender): string {
  return sender.deviceId ? `device=${sender.deviceId}` : `enrollment connection from ${sender.address}`;
}
