// Devices: online state, page visibility (browser agents), platform, backend, memory, thermal and battery state, the
// job each holds.
import type { DeviceListEntryDto } from '../../../api/dto/index.js';
import { el, replaceChildren, table, type Column } from '../dom.js';
import { formatBytes, formatPercent, formatRelative, shortId } from '../format.js';
import type { View, ViewContext } from '../view.js';

export function devicesView(context: ViewContext): View {
  const body = el('div');
  const element = el('section', { attrs: { 'data-page': 'devices' } }, el('h2', {}, 'Devices'), body);

  const columns: Column<DeviceListEntryDto>[] = [
    { header: 'Name', cell: (device) => el('span', { attrs: { title: device.id } }, device.displayName || shortId(device.id)) },
    { header: 'State', cell: (device) => el('span', { className: `state state-${device.state}` }, device.state) },
    { header: 'Page', cell: (device) => device.telemetry?.visibility ?? '—' },
    { header: 'Platform', cell: (device) => `${device.facts.platform} ${device.facts.arch} · ${device.facts.runtime}` },
    { header: 'Model', cell: (device) => device.facts.deviceModel || device.facts.cpuModel },
    { header: 'Backend', cell: (device) => `${device.chosenBackend}${device.facts.wasmSimd ? ' (SIMD)' : ''}` },
    { header: 'Memory free / total', cell: (device) => `${formatBytes(device.availableMemoryBytes)} / ${formatBytes(device.facts.memoryBytes)}`, numeric: true },
    { header: 'Thermal', cell: (device) => thermal(device) },
    { header: 'Battery', cell: (device) => battery(device) },
    {
      header: 'Current job',
      cell: (device) =>
        device.currentJobId === null
          ? '—'
          : el('a', { attrs: { href: '#jobs' }, on: { click: (event) => openJob(event, device.currentJobId!) } }, shortId(device.currentJobId)),
    },
    { header: 'Last seen', cell: (device) => formatRelative(device.lastSeen) },
  ];

  function openJob(event: Event, jobId: string): void {
    event.preventDefault();
    context.navigate('jobs', jobId);
  }

  return {
    element,
    async refresh() {
      const devices = await context.api.listDevices();
      const online = devices.filter((device) => device.state !== 'offline').length;
      replaceChildren(
        body,
        el('p', { className: 'summary' }, `${devices.length} device${devices.length === 1 ? '' : 's'}, ${online} online`),
        table(columns, devices, (device) => device.id, 'No device has enrolled yet. Create an enrollment token to add one.'),
      );
    },
  };
}

/**
 * The device's temperature and thermal state (a browser's Compute Pressure reading) as its latest heartbeat
 * reported them; "—" where the platform exposes neither.
 */
function thermal(device: DeviceListEntryDto): string {
  const celsius = device.telemetry?.temperatureCelsius;
  const parts = [celsius === undefined || celsius < 0 ? undefined : `${celsius.toFixed(0)} °C`, device.telemetry?.thermalState ?? undefined];
  const known = parts.filter((part) => part !== undefined);
  return known.length === 0 ? '—' : known.join(' · ');
}

function battery(device: DeviceListEntryDto): string {
  const telemetry = device.telemetry;
  if (!telemetry || telemetry.batteryLevel < 0) return '—';
  return `${formatPercent(telemetry.batteryLevel)}${telemetry.charging ? ' ⚡' : ''}`;
}
