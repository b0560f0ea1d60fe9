// The device registry: enrollment, credential checks, facts, presence (deadline-based) and the idle/busy state.
import { randomUUID } from 'node:crypto';
import { Inject, Injectable } from '@nestjs/common';
import { DeviceFacts, Telemetry } from '../../../generated/proto/sparsefleet/v1/device.js';
import { ErrorCode, ProtocolFault } from '../../../protocol/src/index.js';
import { COORDINATOR_CONFIG, type CoordinatorConfig } from '../config/coordinator-config.js';
import type { DeviceState } from '../storage/database.schema.js';
import { DeviceRepository, type DeviceRow } from './device.repository.js';
import { EnrollmentTokenService } from './enrollment-token.service.js';
import { generateSecret, hashCredential, verifyCredential } from './secrets.js';

export interface DeviceView {
  readonly id: string;
  readonly displayName: string;
  readonly state: DeviceState;
  readonly chosenBackend: string;
  readonly facts: DeviceFacts;
  readonly telemetry: Telemetry | null;
  readonly onlineUntil: string | null;
  readonly lastSeen: string | null;
  readonly createdAt: string;
}

export interface EnrolledDevice {
  readonly deviceId: string;
  readonly credential: string;
}

// Verified against when the device id is unknown, so a miss costs as much as a wrong credential.
const DECOY_HASH = 'scrypt$AAAAAAAAAAAAAAAAAAAAAA$AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA';

@Injectable()
export class DeviceService {
  constructor(
    private readonly devices: DeviceRepository,
    private readonly tokens: EnrollmentTokenService,
    @Inject(COORDINATOR_CONFIG) private readonly config: CoordinatorConfig,
  ) {}

  /** Uses one enrollment of the token, then registers the device with a fresh credential (returned once). */
  async enroll(tokenId: string, facts: DeviceFacts | undefined, displayName: string, now = new Date()): Promise<EnrolledDevice> {
    await this.tokens.consume(tokenId, now);
    const deviceId = randomUUID();
    const credential = generateSecret();
    const cleanFacts = DeviceFacts.fromPartial(facts ?? {});
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
    });
    return { deviceId, credential };
  }

  /** Throws CREDENTIAL_INVALID unless (deviceId, credential) matches a registered device. */
  async authenticate(deviceId: string, credential: string): Promise<void> {
    const row = await this.devices.findById(deviceId);
    const valid = await verifyCredential(credential, row?.credential_hash ?? DECOY_HASH);
    if (!row || !valid) throw new ProtocolFault(ErrorCode.ERROR_CODE_CREDENTIAL_INVALID, 'device credential is not valid');
  }

  /** Refreshes facts after a (re)connect and brings the device online. */
  async hello(deviceId: string, facts: DeviceFacts | undefined, now = new Date()): Promise<void> {
    const row = await this.require(deviceId);
    const changes = facts
      ? { facts_json: JSON.stringify(DeviceFacts.fromPartial(facts)), chosen_backend: facts.chosenBackend }
      : {};
    await this.devices.update(deviceId, { ...changes, ...this.presence(row, now) });
  }

  async heartbeat(deviceId: string, telemetry: Telemetry | undefined, now = new Date()): Promise<void> {
    const row = await this.require(deviceId);
    const changes = telemetry ? { telemetry_json: JSON.stringify(Telemetry.fromPartial(telemetry)) } : {};
    await this.devices.update(deviceId, { ...changes, ...this.presence(row, now) });
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

  async list(): Promise<DeviceView[]> {
    await this.sweepExpired();
    return (await this.devices.list()).map(toView);
  }

  async get(deviceId: string): Promise<DeviceView | undefined> {
    const row = await this.devices.findById(deviceId);
    return row ? toView(row) : undefined;
  }

  async countByState(): Promise<Record<DeviceState, number>> {
    await this.sweepExpired();
    return this.devices.countByState();
  }

  private presence(row: DeviceRow, now: Date): { state: DeviceState; online_until: string; last_seen: string } {
    // A busy device stays busy; only the job life cycle frees it.
    const state: DeviceState = row.state === 'busy' ? 'busy' : 'online';
    return { state, online_until: this.deadline(now), last_seen: now.toISOString() };
  }

  private deadline(now: Date): string {
    return new Date(now.getTime() + this.config.heartbeatPatience * this.config.heartbeatIntervalMs).toISOString();
  }

  private async require(deviceId: string): Promise<DeviceRow> {
    const row = await this.devices.findById(deviceId);
    if (!row) throw new ProtocolFault(ErrorCode.ERROR_CODE_NOT_FOUND, `device ${deviceId} is not registered`);
    return row;
  }
}

function toView(row: DeviceRow): DeviceView {
  return {
    id: row.id,
    displayName: row.display_name,
    state: row.state,
    chosenBackend: row.chosen_backend,
    facts: JSON.parse(row.facts_json) as DeviceFacts,
    telemetry: row.telemetry_json === null ? null : (JSON.parse(row.telemetry_json) as Telemetry),
    onlineUntil: row.online_until,
    lastSeen: row.last_seen,
    createdAt: row.created_at,
  };
}
