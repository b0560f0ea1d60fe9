// What operators (and the assignment) see of a device: its row decoded, with capabilities derived from its facts
// and the memory it can offer a job.
import type { DeviceFacts, Telemetry } from '../../../protocol/src/index.js';
import type { DeviceState } from '../storage/database.schema.js';
import type { DeviceRow } from './device.repository.js';
import type { Labels } from './labels.js';

export interface DeviceCapabilities {
  readonly backends: readonly string[];
  readonly chosenBackend: string;
  readonly wasmSimd: boolean;
  readonly wasmThreads: boolean;
  readonly cores: number;
  readonly memoryBytes: number;
  readonly platform: string;
  readonly arch: string;
  readonly runtime: string;
}

export interface DeviceView {
  readonly id: string;
  readonly displayName: string;
  readonly state: DeviceState;
  readonly chosenBackend: string;
  readonly facts: DeviceFacts;
  readonly capabilities: DeviceCapabilities;
  /** Operator labels (from the enrollment token and PUT /api/devices/:id/labels). */
  readonly labels: Labels;
  /** Operator labels over the labels the agent reports in its facts: what job selectors match. */
  readonly effectiveLabels: Labels;
  readonly telemetry: Telemetry | null;
  /** min(facts memory, latest free memory): the memory a job may count on before headroom. */
  readonly availableMemoryBytes: number;
  readonly onlineUntil: string | null;
  readonly lastSeen: string | null;
  readonly createdAt: string;
  readonly revokedAt: string | null;
  readonly enrollmentTokenId: string | null;
}

/** A present device as job matching sees it: idle or busy, effective labels, backends, free memory. */
export interface PresentDevice {
  readonly id: string;
  /** Online and holding no job. */
  readonly idle: boolean;
  /** Operator labels over the labels the agent reports in its facts. */
  readonly labels: Labels;
  readonly backends: readonly string[];
  readonly availableMemoryBytes: number;
}

/** The stored JSON columns matching reads that change rarely (telemetry changes with every heartbeat). */
export interface MatchColumns {
  readonly facts_json: string;
  readonly labels_json: string;
}

/** What matching needs of a device's facts and labels: effective labels, backends, installed memory. */
export interface StaticMatchFacts {
  readonly labels: Labels;
  readonly backends: readonly string[];
  readonly facts: DeviceFacts;
}

export function staticMatchFactsOf(row: MatchColumns): StaticMatchFacts {
  const facts = JSON.parse(row.facts_json) as DeviceFacts;
  return { labels: effectiveLabelsOf(facts, JSON.parse(row.labels_json) as Labels), backends: facts.backendsAvailable, facts };
}

/** The memory a job may count on, from the decoded facts and the stored telemetry. */
export function availableMemoryFrom(facts: DeviceFacts, telemetryJson: string | null): number {
  return availableMemoryOf(facts, telemetryJson === null ? null : (JSON.parse(telemetryJson) as Telemetry));
}

function effectiveLabelsOf(facts: DeviceFacts, labels: Labels): Labels {
  return { ...(facts.labels ?? {}), ...labels };
}

export function capabilitiesOf(facts: DeviceFacts): DeviceCapabilities {
  return {
    backends: facts.backendsAvailable,
    chosenBackend: facts.chosenBackend,
    wasmSimd: facts.wasmSimd,
    wasmThreads: facts.wasmThreads,
    cores: facts.cores,
    memoryBytes: facts.memoryBytes,
    platform: facts.platform,
    arch: facts.arch,
    runtime: facts.runtime,
  };
}

/** The smaller of the installed memory and the free memory last reported (unknown values are ignored). */
export function availableMemoryOf(facts: DeviceFacts, telemetry: Telemetry | null): number {
  const candidates = [facts.memoryBytes, telemetry?.freeMemoryBytes ?? 0].filter((bytes) => bytes > 0);
  return candidates.length === 0 ? 0 : Math.min(...candidates);
}

/**
 * The device as of `now`: one whose presence deadline passed reads as offline even before the leader's sweep
 * records it (reads never write).
 */
export function toDeviceView(row: DeviceRow, now = new Date()): DeviceView {
  const facts = JSON.parse(row.facts_json) as DeviceFacts;
  const telemetry = row.telemetry_json === null ? null : (JSON.parse(row.telemetry_json) as Telemetry);
  const labels = JSON.parse(row.labels_json) as Labels;
  return {
    id: row.id,
    displayName: row.display_name,
    state: row.state !== 'offline' && deadlinePassed(row.online_until, now) ? 'offline' : row.state,
    chosenBackend: row.chosen_backend,
    facts,
    capabilities: capabilitiesOf(facts),
    labels,
    effectiveLabels: effectiveLabelsOf(facts, labels),
    telemetry,
    availableMemoryBytes: availableMemoryOf(facts, telemetry),
    onlineUntil: row.online_until,
    lastSeen: row.last_seen,
    createdAt: row.created_at,
    revokedAt: row.revoked_at,
    enrollmentTokenId: row.enrollment_token_id,
  };
}

function deadlinePassed(onlineUntil: string | null, now: Date): boolean {
  return onlineUntil === null || onlineUntil <= now.toISOString();
}
