// The device registry: enrollment (and re-enrollment), credential checks, revocation, facts, operator labels,
// telemetry, presence as a deadline (`online_until`) and the idle/busy state.
import { randomUUID } from 'node:crypto';
import { Inject, Injectable, Optional } from '@nestjs/common';
import { CLOCK, clockDate, realClock, type Clock } from '../common/clock.js';
import { DeviceFacts, Telemetry, withDefaults } from '../../../protocol/src/index.js';
import { ErrorCode, ProtocolFault } from '../../../protocol/src/index.js';
import { COORDINATOR_CONFIG, type CoordinatorConfig } from '../config/coordinator-config.js';
import { DomainEventBus } from '../events/event-bus.js';
import type { DeviceState } from '../storage/database.schema.js';
import { DeviceTelemetryRepository, type TelemetrySampleRow } from './device-telemetry.repository.js';
import { availableMemoryFrom, availableMemoryOf, staticMatchFactsOf, toDeviceView, type DeviceView, type MatchColumns, type PresentDevice, type StaticMatchFacts } from './device-view.js';
import { DeviceRepository, type DeviceCredentialRow, type DeviceRow } from './device.repository.js';
import { EnrollmentTokenService } from './enrollment-token.service.js';
import { parseLabels, type Labels } from './labels.js';
import { CredentialKeyService } from './credential-key.service.js';
import { PresenceTable } from './presence-table.js';
import { GroupCommit } from '../common/group-commit.js';
import { generateSecret, hmacCredential, verifyCredential } from '../security/secrets.js';

export type { DeviceView } from './device-view.js';

export interface EnrolledDevice {
  readonly deviceId: string;
  readonly credential: string;
  /** True when an existing device got a fresh credential (its old one stops working). */
  readonly reenrolled: boolean;
  /**
   * Set when the request named a previous device without proving it is that device, so a new device was
   * enrolled instead: 'missing' (no credential given) or 'invalid' (a wrong one, a failed credential check).
   */
  readonly unprovenClaim?: 'missing' | 'invalid';
  /** Re-enrolled with a token an operator issued to reclaim the device. */
  readonly viaReclaimToken?: boolean;
}

export interface EnrollmentRequest {
  readonly tokenId: string;
  readonly facts?: DeviceFacts;
  readonly displayName: string;
  /** The device the sender says it was; taken over only with `previousCredential` or a reclaim token. */
  readonly previousDeviceId?: string;
  readonly previousCredential?: string;
}

/** One heartbeat as the presence handler hands it over. */
export interface HeartbeatRecord {
  readonly deviceId: string;
  readonly telemetry: Telemetry | undefined;
  readonly options: PresenceOptions;
}

export interface TelemetrySample {
  readonly recordedAt: string;
  readonly telemetry: Telemetry;
}

/** Whether the device holds work: undefined keeps a busy device busy (only the job life cycle frees it). */
export interface PresenceOptions {
  readonly busy?: boolean;
  /** false: record the contact (last seen) without bringing the device online or moving its deadline. */
  readonly presence?: boolean;
}

interface PendingHello {
  readonly deviceId: string;
  readonly facts: DeviceFacts | undefined;
  readonly busy: boolean | undefined;
  readonly at: Date;
}

interface DecodedMatchFacts extends MatchColumns {
  readonly value: StaticMatchFacts;
}

// Verified against when the device id is unknown, so a miss takes the same path as a wrong credential.
const DECOY_HASH = `hmac-sha256$${'A'.repeat(43)}`;

@Injectable()
export class DeviceService {
  /** Decoded match facts of the devices the last matching pass saw (see listPresentForMatching). */
  private matchFacts = new Map<string, DecodedMatchFacts>();
  /** Presence of the devices connected to this node; their rows are written on transitions and coarse flushes. */
  private readonly live: PresenceTable;
  private readonly hellos = new GroupCommit<PendingHello, ProtocolFault | undefined>((batch) => this.writeHellos(batch));
  private readonly credentialLookups = new GroupCommit<string, DeviceCredentialRow | undefined>(async (ids) => {
    const found = await this.devices.findCredentials(ids);
    return ids.map((id) => found.get(id));
  });
  /** Disconnects (a reconnect storm is thousands at once) written a batch per statement. */
  private readonly closes = new GroupCommit<{ id: string; heardAt: string }, boolean>((batch) => this.writeCloses(batch));

  constructor(
    private readonly devices: DeviceRepository,
    private readonly telemetry: DeviceTelemetryRepository,
    private readonly tokens: EnrollmentTokenService,
    private readonly credentialKey: CredentialKeyService,
    private readonly events: DomainEventBus,
    @Inject(COORDINATOR_CONFIG) private readonly config: CoordinatorConfig,
    @Optional() @Inject(CLOCK) private readonly clock: Clock = realClock,
  ) {
    this.live = new PresenceTable(config.heartbeatPatience * config.heartbeatIntervalMs, config.presenceFlushMs, config.telemetrySampleMs);
    // A device another node (or the sweep) took offline, or revoked: its next heartbeat writes its row again.
    events.on('DeviceGone', (event) => {
      if (event.reason === 'revoked') this.live.forgetAll(event.deviceId);
      else this.live.forget(event.deviceId);
    });
  }

  /**
   * Uses one enrollment of the token and returns a fresh credential (shown once). An existing device is
   * re-enrolled (same id, labels and history; a new credential, the old one invalid from then on) only when the
   * sender proves it is that device: the credential it holds now, or a token an operator issued to reclaim it.
   * Without proof a new device is enrolled, with the token's labels. A revoked device cannot come back, and an
   * existing device's facts and labels are not changed here: facts arrive in its own session's Hello.
   */
  async enroll(request: EnrollmentRequest, now = clockDate(this.clock)): Promise<EnrolledDevice> {
    const reclaimed = await this.tokens.reclaimTargetOf(request.tokenId);
    if (reclaimed !== undefined) return this.reclaim(request, reclaimed, now);
    const claim = await this.checkPreviousDevice(request);
    if (claim.proven) {
      await this.tokens.consume(request.tokenId, now);
      const credential = await this.replaceCredential(claim.proven, now);
      return { deviceId: claim.proven.id, credential, reenrolled: true };
    }
    await this.tokens.consume(request.tokenId, now);
    const enrolled = await this.insertDevice(request, now);
    return claim.unproven ? { ...enrolled, unprovenClaim: claim.unproven } : enrolled;
  }

  /**
   * Throws CREDENTIAL_INVALID unless (deviceId, credential) matches, DEVICE_REVOKED for a revoked device. The
   * handshakes that arrive together (a reconnect storm) look their devices up together, one statement per 256.
   */
  async authenticate(deviceId: string, credential: string): Promise<void> {
    const row = await this.credentialLookups.add(deviceId);
    const check = await verifyCredential(credential, row?.credential_hash ?? DECOY_HASH, this.credentialKey.current);
    if (!row || !check.valid) throw new ProtocolFault(ErrorCode.ERROR_CODE_CREDENTIAL_INVALID, 'device credential is not valid');
    if (row.revoked_at !== null) {
      throw new ProtocolFault(ErrorCode.ERROR_CODE_DEVICE_REVOKED, `device ${deviceId} was revoked at ${row.revoked_at}`);
    }
    if (check.outdated) await this.devices.update(deviceId, { credential_hash: this.storedFormOf(credential) });
  }

  private async reclaim(request: EnrollmentRequest, deviceId: string, now: Date): Promise<EnrolledDevice> {
    if (request.previousDeviceId && request.previousDeviceId !== deviceId) {
      throw new ProtocolFault(
        ErrorCode.ERROR_CODE_FORBIDDEN,
        `this enrollment token reclaims device ${deviceId} only, not ${request.previousDeviceId}`,
      );
    }
    const row = await this.devices.findById(deviceId);
    if (!row) throw new ProtocolFault(ErrorCode.ERROR_CODE_NOT_FOUND, `device ${deviceId} is no longer registered`);
    if (row.revoked_at) throw new ProtocolFault(ErrorCode.ERROR_CODE_DEVICE_REVOKED, `device ${deviceId} was revoked; it cannot be reclaimed`);
    await this.tokens.consume(request.tokenId, now);
    const credential = await this.replaceCredential(row, now);
    return { deviceId, credential, reenrolled: true, viaReclaimToken: true };
  }

  private async checkPreviousDevice(
    request: EnrollmentRequest,
  ): Promise<{ proven?: DeviceRow; unproven?: 'missing' | 'invalid' }> {
    if (!request.previousDeviceId) return {};
    const previous = await this.devices.findById(request.previousDeviceId);
    if (previous?.revoked_at) {
      throw new ProtocolFault(ErrorCode.ERROR_CODE_DEVICE_REVOKED, `device ${previous.id} was revoked; it cannot re-enroll`);
    }
    if (!request.previousCredential) return { unproven: 'missing' };
    const check = await verifyCredential(
      request.previousCredential,
      previous?.credential_hash ?? DECOY_HASH,
      this.credentialKey.current,
    );
    return previous && check.valid ? { proven: previous } : { unproven: 'invalid' };
  }

  private async replaceCredential(row: DeviceRow, now: Date): Promise<string> {
    const credential = generateSecret();
    // Presence is left to Hello: re-enrolling proves identity, it does not say the device is ready for a job. An idle
    // device goes offline until then (a busy one keeps its job's lease running).
    await this.devices.update(row.id, {
      credential_hash: this.storedFormOf(credential),
      last_seen: now.toISOString(),
      ...(row.state === 'online' ? { state: 'offline' as const, online_until: null } : {}),
    });
    // Its heartbeats on this node are written again (and bring it back) until its next Hello.
    this.live.forget(row.id);
    return credential;
  }

  private async insertDevice(request: EnrollmentRequest, now: Date): Promise<EnrolledDevice> {
    const credential = generateSecret();
    const cleanFacts = withDefaults('sparsefleet.v1.DeviceFacts', request.facts ?? {});
    const deviceId = randomUUID();
    await this.devices.insert({
      id: deviceId,
      display_name: request.displayName.trim() || cleanFacts.deviceModel || `device-${deviceId.slice(0, 8)}`,
      facts_json: JSON.stringify(cleanFacts),
      chosen_backend: cleanFacts.chosenBackend,
      // Offline until its Hello: an agent may hang up right after enrolling (to reconnect with its credential), and a
      // job pushed in that window would fail delivery and cost an attempt.
      state: 'offline',
      online_until: null,
      last_seen: now.toISOString(),
      telemetry_json: null,
      credential_hash: this.storedFormOf(credential),
      enrollment_token_id: request.tokenId,
      created_at: now.toISOString(),
      labels_json: JSON.stringify(await this.tokens.labelsOf(request.tokenId)),
      revoked_at: null,
    });
    return { deviceId, credential, reenrolled: false };
  }

  private storedFormOf(credential: string): string {
    return hmacCredential(credential, this.credentialKey.current);
  }

  /** The credential stops working at once; the caller disconnects the live socket and releases its jobs. */
  async revoke(deviceId: string, now = clockDate(this.clock)): Promise<DeviceView | undefined> {
    await this.devices.revoke(deviceId, now.toISOString());
    const device = await this.get(deviceId);
    if (device) this.events.publish({ type: 'DeviceGone', deviceId, reason: 'revoked' });
    return device;
  }

  async setLabels(deviceId: string, labels: Labels): Promise<DeviceView | undefined> {
    if (!(await this.devices.findById(deviceId))) return undefined;
    await this.devices.update(deviceId, { labels_json: JSON.stringify(parseLabels(labels)) });
    return this.get(deviceId);
  }

  /**
   * Refreshes facts after a (re)connect and brings the device online (busy when it still holds a job). Hellos that
   * arrive together (a reconnect storm) are written together, one presence statement per 256.
   */
  async hello(deviceId: string, facts: DeviceFacts | undefined, options: PresenceOptions = {}, now = clockDate(this.clock)): Promise<void> {
    const fault = await this.hellos.add({ deviceId, facts, busy: options.busy, at: now });
    if (fault) throw fault;
  }

  private async writeHellos(batch: readonly PendingHello[]): Promise<(ProtocolFault | undefined)[]> {
    // Each hello keeps its own time; of a device's hellos in one batch the last is written.
    const latest = new Map(batch.map((hello) => [hello.deviceId, hello]));
    const prior = await this.devices.recordPresence(
      [...latest.values()].map(({ deviceId, facts, busy, at }) => ({
        id: deviceId,
        lastSeen: at.toISOString(),
        onlineUntil: new Date(this.live.storedDeadlineFor(at.getTime())).toISOString(),
        telemetryJson: null,
        busy,
        ...(facts ? { facts: { json: JSON.stringify(withDefaults('sparsefleet.v1.DeviceFacts', facts)), chosenBackend: facts.chosenBackend } } : {}),
      })),
    );
    return batch.map(({ deviceId, busy, at }) => {
      const row = prior.get(deviceId);
      if (!row) return notRegisteredFault(deviceId);
      if (row.revoked) return revokedFault(deviceId);
      this.live.written(deviceId, at.getTime(), null);
      if (busy === false || (busy === undefined && row.state !== 'busy')) this.events.publish({ type: 'DeviceAvailable', deviceId });
      return undefined;
    });
  }

  async heartbeat(deviceId: string, telemetry: Telemetry | undefined, options: PresenceOptions = {}, now = clockDate(this.clock)): Promise<void> {
    const [fault] = await this.recordHeartbeats([{ deviceId, telemetry, options }], now);
    if (fault) throw fault;
  }

  /**
   * A heartbeat of a device this node holds present, recorded in memory when its row needs no write (its stored
   * deadline far enough ahead, no telemetry sample due); false when it must go through `recordHeartbeats`.
   */
  heardInMemory(deviceId: string, telemetry: Telemetry | undefined, now = clockDate(this.clock)): boolean {
    const nowMs = now.getTime();
    if (telemetry && this.live.sampleDue(deviceId, nowMs)) return false;
    return this.live.touch(deviceId, nowMs, telemetry ?? null);
  }

  /**
   * Records a batch of heartbeats and returns, per heartbeat, the fault to answer it with or undefined. Within a batch
   * a device's last heartbeat decides its presence. A heartbeat of a device this node already holds present, with
   * its stored deadline far enough ahead, is recorded in memory only; the others (a transition, a coarse flush, a
   * busy device, a telemetry sample due) are written in one presence statement per 256 devices. At most one
   * telemetry sample per device per `telemetrySampleMs` goes into its history.
   */
  async recordHeartbeats(beats: readonly HeartbeatRecord[], now = clockDate(this.clock)): Promise<(ProtocolFault | undefined)[]> {
    const nowMs = now.getTime();
    const latest = new Map<string, HeartbeatRecord>();
    for (const beat of beats) latest.set(beat.deviceId, beat);
    const toWrite: Array<{ beat: HeartbeatRecord; telemetryJson: string | null; sample: boolean }> = [];
    for (const beat of latest.values()) {
      const sample = beat.telemetry !== undefined && this.live.sampleDue(beat.deviceId, nowMs);
      const inMemoryOnly = beat.options.presence !== false && beat.options.busy === undefined && !sample;
      if (!inMemoryOnly || !this.live.touch(beat.deviceId, nowMs, beat.telemetry ?? null)) {
        toWrite.push({ beat, telemetryJson: telemetryJsonOf(beat.telemetry), sample });
      }
    }
    if (toWrite.length === 0) return beats.map(() => undefined);
    const lastSeen = now.toISOString();
    const deadline = new Date(this.live.storedDeadlineFor(nowMs)).toISOString();
    const prior = await this.devices.recordPresence(
      toWrite.map(({ beat, telemetryJson }) => ({
        id: beat.deviceId,
        lastSeen,
        onlineUntil: beat.options.presence === false ? null : deadline,
        telemetryJson,
        busy: beat.options.busy,
      })),
    );
    const faults = new Map<string, ProtocolFault>();
    const history: TelemetrySampleRow[] = [];
    for (const { beat, telemetryJson, sample } of toWrite) {
      const { deviceId } = beat;
      const row = prior.get(deviceId);
      const fault = row ? (row.revoked ? revokedFault(deviceId) : undefined) : notRegisteredFault(deviceId);
      if (fault) {
        faults.set(deviceId, fault);
        this.live.forget(deviceId);
        continue;
      }
      if (beat.options.presence !== false) this.live.written(deviceId, nowMs, beat.telemetry ?? null);
      // A device that went silent and speaks again without reconnecting is back, and may be idle.
      if (row?.state === 'offline' && beat.options.presence !== false && !beat.options.busy) {
        this.events.publish({ type: 'DeviceAvailable', deviceId });
      }
      if (sample && telemetryJson !== null) {
        history.push({ deviceId, recordedAt: lastSeen, telemetryJson });
        this.live.sampled(deviceId, nowMs);
      }
    }
    await this.telemetry.appendMany(history, this.config.telemetryHistory);
    return beats.map((beat) => faults.get(beat.deviceId));
  }

  /** Newest first, at most `limit` (default: all that are kept). */
  async telemetryHistory(deviceId: string, limit = this.config.telemetryHistory): Promise<TelemetrySample[]> {
    return (await this.telemetry.listRecent(deviceId, limit)).map((row) => ({
      recordedAt: row.recorded_at,
      telemetry: JSON.parse(row.telemetry_json) as Telemetry,
    }));
  }

  /** Marks every device offline (coordinator start); returns how many were not offline already. */
  async markAllOffline(): Promise<number> {
    this.live.clear();
    return this.devices.markAllOffline();
  }

  /**
   * The device's connection closed. Unless the device was heard after `lastHeardAt` (on another coordinator node,
   * over a newer connection): then that connection speaks for it.
   */
  async markOffline(deviceId: string, lastHeardAt: Date): Promise<void> {
    this.live.forget(deviceId);
    if (await this.closes.add({ id: deviceId, heardAt: lastHeardAt.toISOString() })) {
      this.events.publish({ type: 'DeviceGone', deviceId, reason: 'disconnected' });
    }
  }

  private async writeCloses(batch: readonly { id: string; heardAt: string }[]): Promise<boolean[]> {
    const gone = new Set(await this.devices.markManyOfflineUnlessSeenAfter(batch));
    // A device closed twice in one batch went offline once: the first of its closes reports it.
    return batch.map(({ id }) => gone.delete(id));
  }

  /** Reserves an idle device for a job; false when it is no longer idle. */
  async markBusy(deviceId: string): Promise<boolean> {
    return this.devices.transition(deviceId, ['online'], 'busy');
  }

  /** The device finished, refused or lost its job: it has room for another. */
  async markIdle(deviceId: string): Promise<void> {
    if (await this.devices.transition(deviceId, ['busy'], 'online')) this.events.publish({ type: 'DeviceAvailable', deviceId });
  }

  /**
   * Marks every device whose deadline passed offline and returns their ids: this node's devices by the deadlines it
   * keeps in memory, then every row whose stored deadline passed (devices of a node that died).
   */
  async sweepExpired(now = clockDate(this.clock)): Promise<string[]> {
    const local = await this.sweepSilentHeldHere(now);
    const silent = await this.devices.markExpiredOffline(now.toISOString());
    for (const deviceId of silent) this.events.publish({ type: 'DeviceGone', deviceId, reason: 'silent' });
    return [...local, ...silent];
  }

  /**
   * The devices connected to this node that fell silent past their deadline go offline (every node runs this for its
   * own devices; their rows still carry the slack of the last flush). Unless heard since, over another connection.
   */
  async sweepSilentHeldHere(now = clockDate(this.clock)): Promise<string[]> {
    const silent = this.live.silentAt(now.getTime());
    if (silent.length === 0) return [];
    for (const { deviceId } of silent) this.live.forget(deviceId);
    const gone = await this.devices.markManyOfflineUnlessSeenAfter(
      silent.map(({ deviceId, lastSeenMs }) => ({ id: deviceId, heardAt: new Date(lastSeenMs).toISOString() })),
    );
    for (const deviceId of gone) this.events.publish({ type: 'DeviceGone', deviceId, reason: 'silent' });
    return gone;
  }

  async listIdle(now = clockDate(this.clock)): Promise<string[]> {
    return (await this.devices.listIdle(now.toISOString())).map((row) => row.id);
  }

  /** Online devices, idle or busy (not revoked), as assignment considers them. */
  async listPresent(now = clockDate(this.clock)): Promise<DeviceView[]> {
    return (await this.devices.listPresent(now.toISOString())).map((row) => toDeviceView(this.withLivePresence(row), now));
  }

  /**
   * The present devices as job matching sees them, longest-enrolled first. `include` filters by id before anything is
   * decoded (assignment takes the devices connected to this node). A device's decoded facts and labels are kept while
   * their stored JSON stays the same, so a pass over 10,000 devices parses only its telemetry (new with each heartbeat).
   */
  async listPresentForMatching(include: (deviceId: string) => boolean = () => true, now = clockDate(this.clock)): Promise<PresentDevice[]> {
    const rows = await this.devices.listPresentForMatching(now.toISOString());
    const decoded = new Map<string, DecodedMatchFacts>();
    const present: PresentDevice[] = [];
    const nowMs = now.getTime();
    for (const row of rows) {
      if (!include(row.id)) continue;
      const live = this.live.get(row.id);
      if (live && live.deadlineMs <= nowMs) continue;
      const cached = this.matchFacts.get(row.id);
      const facts =
        cached && cached.facts_json === row.facts_json && cached.labels_json === row.labels_json
          ? cached
          : { facts_json: row.facts_json, labels_json: row.labels_json, value: staticMatchFactsOf(row) };
      decoded.set(row.id, facts);
      const { labels, backends } = facts.value;
      // The latest telemetry is this node's, in memory, when it holds the device (the row's is up to a flush older).
      const availableMemoryBytes = live?.telemetry
        ? availableMemoryOf(facts.value.facts, withDefaults('sparsefleet.v1.Telemetry', live.telemetry))
        : availableMemoryFrom(facts.value.facts, row.telemetry_json);
      present.push({ id: row.id, idle: row.state === 'online', labels, backends, availableMemoryBytes });
    }
    this.matchFacts = decoded;
    return present;
  }

  async list(now = clockDate(this.clock)): Promise<DeviceView[]> {
    return (await this.devices.list()).map((row) => toDeviceView(this.withLivePresence(row), now));
  }

  async get(deviceId: string, now = clockDate(this.clock)): Promise<DeviceView | undefined> {
    const row = await this.devices.findById(deviceId);
    return row ? toDeviceView(this.withLivePresence(row), now) : undefined;
  }

  /** The row with what this node knows newer than it: last seen, exact deadline, latest telemetry. */
  private withLivePresence(row: DeviceRow): DeviceRow {
    const live = this.live.get(row.id);
    if (!live || row.state === 'offline') return row;
    return {
      ...row,
      last_seen: new Date(live.lastSeenMs).toISOString(),
      online_until: new Date(live.deadlineMs).toISOString(),
      telemetry_json: telemetryJsonOf(live.telemetry) ?? row.telemetry_json,
    };
  }

  async countByState(now = clockDate(this.clock)): Promise<Record<DeviceState, number>> {
    return this.devices.countByState(now.toISOString());
  }


}

/** A heartbeat's telemetry as stored (defaults filled in); null when the heartbeat carried none. */
function telemetryJsonOf(telemetry: Telemetry | null | undefined): string | null {
  return telemetry ? JSON.stringify(withDefaults('sparsefleet.v1.Telemetry', telemetry)) : null;
}

function notRegisteredFault(deviceId: string): ProtocolFault {
  return new ProtocolFault(ErrorCode.ERROR_CODE_NOT_FOUND, `device ${deviceId} is not registered`);
}

function revokedFault(deviceId: string): ProtocolFault {
  return new ProtocolFault(ErrorCode.ERROR_CODE_DEVICE_REVOKED, `device ${deviceId} was revoked`);
}
