// The device registry: enrollment (and re-enrollment), credential checks, revocation, facts, operator labels,
// telemetry, presence as a deadline (`online_until`) and the idle/busy state.
import { randomUUID } from 'node:crypto';
import { Inject, Injectable } from '@nestjs/common';
import { DeviceFacts, Telemetry } from '../../../generated/proto/sparsefleet/v1/device.js';
import { ErrorCode, ProtocolFault } from '../../../protocol/src/index.js';
import { COORDINATOR_CONFIG, type CoordinatorConfig } from '../config/coordinator-config.js';
import type { DeviceState } from '../storage/database.schema.js';
import { DeviceTelemetryRepository } from './device-telemetry.repository.js';
import { toDeviceView, type DeviceView } from './device-view.js';
import { DeviceRepository, type DeviceRow } from './device.repository.js';
import { EnrollmentTokenService } from './enrollment-token.service.js';
import { parseLabels, type Labels } from './labels.js';
import { generateSecret, hashCredential, verifyCredential } from './secrets.js';

export type { DeviceView } from './device-view.js';

export interface EnrolledDevice {
  readonly deviceId: string;
  readonly credential: string;
  /** True when an existing device got a fresh credential (its old one stops working). */
  readonly reenrolled: boolean;
}

export interface TelemetrySample {
  readonly recordedAt: string;
  readonly telemetry: Telemetry;
}

/** Whether the device holds work: undefined keeps a busy device busy (only the job life cycle frees it). */
export interface PresenceOptions {
  readonly busy?: boolean;
}

// Verified against when the device id is unknown, so a miss costs as much as a wrong credential.
const DECOY_HASH = 'scrypt$AAAAAAAAAAAAAAAAAAAAAA$AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA';

@Injectable()
export class DeviceService {
  constructor(
    private readonly devices: DeviceRepository,
    private readonly telemetry: DeviceTelemetryRepository,
    private readonly tokens: EnrollmentTokenService,
    @Inject(COORDINATOR_CONFIG) private readonly config: CoordinatorConfig,
  ) {}

  /**
   * Uses one enrollment of the token, then registers the device with a fresh credential (returned once). With
   * `previousDeviceId` naming a registered device, that device is re-enrolled instead: same id, labels and
   * history, a new credential (the old one is invalid from then on). A revoked device cannot come back.
   */
  async enroll(
    tokenId: string,
    facts: DeviceFacts | undefined,
    displayName: string,
    now = new Date(),
    previousDeviceId = '',
  ): Promise<EnrolledDevice> {
    const previous = previousDeviceId ? await this.devices.findById(previousDeviceId) : undefined;
    if (previous?.revoked_at) {
      throw new ProtocolFault(ErrorCode.ERROR_CODE_DEVICE_REVOKED, `device ${previous.id} was revoked; it cannot re-enroll`);
    }
    await this.tokens.consume(tokenId, now);
    const credential = generateSecret();
    const cleanFacts = DeviceFacts.fromPartial(facts ?? {});
    const tokenLabels = await this.tokens.labelsOf(tokenId);
    if (previous) {
      await this.devices.update(previous.id, {
        credential_hash: await hashCredential(credential),
        facts_json: JSON.stringify(cleanFacts),
        chosen_backend: cleanFacts.chosenBackend,
        display_name: displayName.trim() || previous.display_name,
        labels_json: JSON.stringify({ ...(JSON.parse(previous.labels_json) as Labels), ...tokenLabels }),
        enrollment_token_id: tokenId,
        ...this.presence(previous, now, {}),
      });
      return { deviceId: previous.id, credential, reenrolled: true };
    }
    const deviceId = randomUUID();
    await this.devices.insert({
      id: deviceId,
      display_name: displayName.trim() || cleanFacts.deviceModel || `device-${deviceId.slice(0, 8)}`,
      facts_json: JSON.stringify(cleanFacts),
      chosen_backend: cleanFacts.chosenBackend,
      state: 'online',
      online_until: this.deadline(now),
      last_seen: now.toISOString(),
      telemetry_json: null,
      credential_hash: await hashCredential(credential),
      enrollment_token_id: tokenId,
      created_at: now.toISOString(),
      labels_json: JSON.stringify(tokenLabels),
      revoked_at: null,
    });
    return { deviceId, credential, reenrolled: false };
  }

  /** Throws CREDENTIAL_INVALID unless (deviceId, credential) matches, DEVICE_REVOKED for a revoked device. */
  async authenticate(deviceId: string, credential: string): Promise<void> {
    const row = await this.devices.findById(deviceId);
    const valid = await verifyCredential(credential, row?.credential_hash ?? DECOY_HASH);
    if (!row || !valid) throw new ProtocolFault(ErrorCode.ERROR_CODE_CREDENTIAL_INVALID, 'device credential is not valid');
    if (row.revoked_at !== null) {
      throw new ProtocolFault(ErrorCode.ERROR_CODE_DEVICE_REVOKED, `device ${deviceId} was revoked at ${row.revoked_at}`);
    }
  }

  /** The credential stops working at once; the caller disconnects the live socket and releases its jobs. */
  async revoke(deviceId: string, now = new Date()): Promise<DeviceView | undefined> {
    await this.devices.revoke(deviceId, now.toISOString());
    return this.get(deviceId);
  }

  async setLabels(deviceId: string, labels: Labels): Promise<DeviceView | undefined> {
    if (!(await this.devices.findById(deviceId))) return undefined;
    await this.devices.update(deviceId, { labels_json: JSON.stringify(parseLabels(labels)) });
    return this.get(deviceId);
  }

  /** Refreshes facts after a (re)connect and brings the device online (busy when it still holds a job). */
  async hello(deviceId: string, facts: DeviceFacts | undefined, options: PresenceOptions = {}, now = new Date()): Promise<void> {
    const row = await this.require(deviceId);
    const changes = facts
      ? { facts_json: JSON.stringify(DeviceFacts.fromPartial(facts)), chosen_backend: facts.chosenBackend }
      : {};
    await this.devices.update(deviceId, { ...changes, ...this.presence(row, now, options) });
  }

  async heartbeat(deviceId: string, telemetry: Telemetry | undefined, options: PresenceOptions = {}, now = new Date()): Promise<void> {
    const row = await this.require(deviceId);
    const sample = telemetry ? JSON.stringify(Telemetry.fromPartial(telemetry)) : undefined;
    await this.devices.update(deviceId, { ...(sample ? { telemetry_json: sample } : {}), ...this.presence(row, now, options) });
    if (sample) await this.telemetry.append(deviceId, now.toISOString(), sample, this.config.telemetryHistory);
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
    return this.devices.markAllOffline();
  }

  async markOffline(deviceId: string): Promise<void> {
    await this.devices.transition(deviceId, ['online', 'busy'], 'offline');
  }

  /** Reserves an idle device for a job; false when it is no longer idle. */
  async markBusy(deviceId: string): Promise<boolean> {
    return this.devices.transition(deviceId, ['online'], 'busy');
  }

  async markIdle(deviceId: string): Promise<void> {
    await this.devices.transition(deviceId, ['busy'], 'online');
  }

  /** Marks every device whose deadline passed offline and returns their ids. */
  async sweepExpired(now = new Date()): Promise<string[]> {
    return this.devices.markExpiredOffline(now.toISOString());
  }

  async listIdle(now = new Date()): Promise<string[]> {
    return (await this.devices.listIdle(now.toISOString())).map((row) => row.id);
  }

  /** Online devices, idle or busy (not revoked), as assignment considers them. */
  async listPresent(now = new Date()): Promise<DeviceView[]> {
    return (await this.devices.listPresent(now.toISOString())).map(toDeviceView);
  }

  async list(): Promise<DeviceView[]> {
    await this.sweepExpired();
    return (await this.devices.list()).map(toDeviceView);
  }

  async get(deviceId: string): Promise<DeviceView | undefined> {
    await this.sweepExpired();
    const row = await this.devices.findById(deviceId);
    return row ? toDeviceView(row) : undefined;
  }

  async countByState(): Promise<Record<DeviceState, number>> {
    await this.sweepExpired();
    return this.devices.countByState();
  }

  private presence(row: DeviceRow, now: Date, options: PresenceOptions): { state: DeviceState; online_until: string; last_seen: string } {
    const busy = options.busy ?? row.state === 'busy';
    return { state: busy ? 'busy' : 'online', online_until: this.deadline(now), last_seen: now.toISOString() };
  }

  private deadline(now: Date): string {
    return new Date(now.getTime() + this.config.heartbeatPatience * this.config.heartbeatIntervalMs).toISOString();
  }

  private async require(deviceId: string): Promise<DeviceRow> {
    const row = await this.devices.findById(deviceId);
    if (!row) throw new ProtocolFault(ErrorCode.ERROR_CODE_NOT_FOUND, `device ${deviceId} is not registered`);
    if (row.revoked_at !== null) throw new ProtocolFault(ErrorCode.ERROR_CODE_DEVICE_REVOKED, `device ${deviceId} was revoked`);
    return row;
  }
}
