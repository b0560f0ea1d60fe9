// Devices as text: the fleet table and the details of one device.
import type { Device } from './api-types.js';
import { formatRelative } from './duration.js';
import { formatBytes, formatPercent, orDash, shortId } from './format.js';
import { formatLabels } from './labels.js';
import { formatKeyValues, formatTable, type Column } from './table.js';

export function deviceLastSeen(device: Device): string | null | undefined {
  return device.lastSeen;
}

export function deviceJobId(device: Device): string | null | undefined {
  return device.currentJobId ?? device.currentJob?.id;
}

export function formatDeviceTable(devices: readonly Device[], now: Date = new Date()): string {
  const columns: Column<Device>[] = [
    { header: 'ID', value: (device) => shortId(device.id) },
    { header: 'NAME', value: (device) => device.displayName, maxWidth: 24 },
    { header: 'STATE', value: (device) => device.state },
    { header: 'BACKEND', value: (device) => orDash(device.facts?.chosenBackend ?? device.chosenBackend) },
    { header: 'CORES', value: (device) => orDash(device.facts?.cores), align: 'right' },
    { header: 'MEMORY', value: (device) => formatBytes(device.facts?.memoryBytes), align: 'right' },
    { header: 'FREE', value: (device) => formatBytes(device.telemetry?.freeMemoryBytes), align: 'right' },
    { header: 'JOB', value: (device) => shortId(deviceJobId(device)) },
    { header: 'LABELS', value: (device) => formatLabels(device.labels), maxWidth: 32 },
    { header: 'LAST SEEN', value: (device) => formatRelative(deviceLastSeen(device), now) },
  ];
  return formatTable(columns, devices);
}

export function formatDeviceDetails(device: Device, now: Date = new Date()): string {
  const facts = device.facts ?? {};
  const telemetry = device.telemetry;
  const wasm = facts.wasmSimd === undefined ? undefined : `simd ${yesNo(facts.wasmSimd)}, threads ${yesNo(facts.wasmThreads)}`;
  return formatKeyValues([
    ['id', device.id],
    ['name', device.displayName],
    ['state', device.state],
    ['current job', currentJob(device)],
    ['labels', formatLabels(device.labels)],
    ['last seen', withRelative(deviceLastSeen(device), now)],
    ['online until', withRelative(device.onlineUntil, now)],
    ['enrolled', device.createdAt === undefined ? undefined : withRelative(device.createdAt, now)],
    ['model', orDash(facts.deviceModel)],
    ['platform', [facts.platform, facts.arch].filter(Boolean).join('/') || '-'],
    ['cpu', `${orDash(facts.cpuModel)} (${orDash(facts.cores)} cores)`],
    ['memory', formatBytes(facts.memoryBytes)],
    ['backends', `${(facts.backendsAvailable ?? []).join(', ') || '-'} (training with ${orDash(facts.chosenBackend ?? device.chosenBackend)})`],
    ['wasm', wasm],
    ['runtime', orDash(facts.runtime)],
    ['agent', orDash(facts.agentVersion)],
    ['free memory', telemetry ? formatBytes(telemetry.freeMemoryBytes) : '-'],
    ['agent rss', telemetry ? formatBytes(telemetry.rssBytes) : undefined],
    ['load (1m)', telemetry?.loadAverage1m === undefined ? undefined : telemetry.loadAverage1m.toFixed(2)],
    ['temperature', telemetry && (telemetry.temperatureCelsius ?? -1) >= 0 ? `${telemetry.temperatureCelsius!.toFixed(1)} °C` : undefined],
    ['battery', telemetry && (telemetry.batteryLevel ?? -1) >= 0 ? `${formatPercent(telemetry.batteryLevel)}${telemetry.charging ? ' (charging)' : ''}` : undefined],
  ]);
}

function currentJob(device: Device): string {
  const job = device.currentJob;
  if (job) return [job.id, job.name ? `(${job.name})` : '', job.state ?? ''].filter(Boolean).join(' ');
  return orDash(device.currentJobId);
}

function withRelative(iso: string | null | undefined, now: Date): string {
  return iso ? `${iso} (${formatRelative(iso, now)})` : '-';
}

function yesNo(value: boolean | undefined): string {
  return value ? 'yes' : 'no';
}
