import { describe, expect, it } from 'vitest';
import { formatDeviceDetails, formatDeviceTable } from '../../cli/src/operator/device-view.js';
import { formatBytes, formatMetric, shortId } from '../../cli/src/operator/format.js';
import { describeSpec, formatJobTable } from '../../cli/src/operator/job-view.js';
import { clip, formatKeyValues, formatTable } from '../../cli/src/operator/table.js';
import { formatTokenTable, tokenStatus } from '../../cli/src/operator/token-view.js';
import type { Device, Job, TokenSummary } from '../../cli/src/operator/api-types.js';

const NOW = new Date('2026-05-01T12:00:00.000Z');

describe('formatTable', () => {
  it('should align every column to its widest cell with two spaces between columns', () => {
    // Prepare
    const rows = [
      { name: 'a', count: 5 },
      { name: 'longer-name', count: 12345 },
    ];

    // Execute
    const text = formatTable(
      [
        { header: 'NAME', value: (row) => row.name },
        { header: 'COUNT', value: (row) => String(row.count), align: 'right' },
      ],
      rows,
    );

    // Assert
    expect(text.split('\n')).toEqual(['NAME         COUNT', 'a                5', 'longer-name  12345']);
  });

  it('should clip cells longer than the column maximum with an ellipsis and keep lines single', () => {
    const text = formatTable([{ header: 'X', value: (row: string) => row, maxWidth: 6 }], ['abcdefghij', 'two\nlines']);

    expect(text.split('\n')).toEqual(['X', 'abcde…', 'two l…']);
  });

  it('should print only the header for no rows', () => {
    expect(formatTable([{ header: 'ID', value: (row: string) => row }], [])).toBe('ID');
  });
});

describe('formatKeyValues', () => {
  it('should pad keys to one width and leave out undefined values', () => {
    expect(formatKeyValues([['id', 'x'], ['skipped', undefined], ['max uses', '3']])).toBe('id        x\nmax uses  3');
  });
});

describe('clip', () => {
  it('should leave short text alone', () => {
    expect(clip('short', 5)).toBe('short');
  });
});

describe('value formatters', () => {
  it('should format bytes with binary units', () => {
    expect(formatBytes(512)).toBe('512 B');
    expect(formatBytes(1536)).toBe('1.5 KiB');
    expect(formatBytes(8 * 1024 ** 3)).toBe('8.0 GiB');
    expect(formatBytes(300 * 1024 ** 2)).toBe('300 MiB');
    expect(formatBytes(undefined)).toBe('-');
  });

  it('should show negative sentinel metrics (not evaluated) as a dash', () => {
    expect(formatMetric(-1)).toBe('-');
    expect(formatMetric(0.81234)).toBe('0.8123');
  });

  it('should shorten UUIDs to 8 characters but keep short ids whole', () => {
    expect(shortId('3f2a1b4c-0000-4000-8000-000000000000')).toBe('3f2a1b4c');
    expect(shortId('dev-1')).toBe('dev-1');
    expect(shortId(null)).toBe('-');
  });
});

describe('tokenStatus', () => {
  const base: TokenSummary = {
    id: 't1',
    prefix: 'sfet_ab',
    uses: 0,
    maxUses: 2,
    expiresAt: '2026-05-02T12:00:00.000Z',
    revokedAt: null,
  };

  it('should report revoked before expired before used up', () => {
    expect(tokenStatus(base, NOW)).toBe('active');
    expect(tokenStatus({ ...base, uses: 2 }, NOW)).toBe('used up');
    expect(tokenStatus({ ...base, uses: 2, expiresAt: '2026-05-01T11:00:00.000Z' }, NOW)).toBe('expired');
    expect(tokenStatus({ ...base, revokedAt: '2026-05-01T10:00:00.000Z', expiresAt: '2026-05-01T11:00:00.000Z' }, NOW)).toBe(
      'revoked',
    );
  });

  it('should render the token table with uses, relative expiry and sorted labels', () => {
    const text = formatTokenTable([{ ...base, uses: 1, labels: { zone: 'b', site: 'lab' } }], NOW);

    const [header, row] = text.split('\n');
    expect(header).toMatch(/^ID\s+PREFIX\s+STATUS\s+USES\s+EXPIRES\s+LABELS$/);
    expect(row).toMatch(/^t1\s+sfet_ab\s+active\s+1\/2\s+in 1d\s+site=lab,zone=b$/);
  });
});

describe('formatDeviceTable', () => {
  it('should show state, backend, memory, labels and how long ago the device was seen', () => {
    const device: Device = {
      id: '11111111-2222-4333-8444-555555555555',
      displayName: 'jetson-1',
      state: 'busy',
      facts: { cores: 6, memoryBytes: 8 * 1024 ** 3, chosenBackend: 'wasm' },
      labels: { site: 'lab' },
      telemetry: { freeMemoryBytes: 2 * 1024 ** 3 },
      currentJobId: 'aaaaaaaa-2222-4333-8444-555555555555',
      onlineUntil: '2026-05-01T12:00:30.000Z',
      lastSeen: '2026-05-01T11:59:50.000Z',
    };

    const row = formatDeviceTable([device], NOW).split('\n')[1]!;

    expect(row).toMatch(/^11111111\s+jetson-1\s+busy\s+wasm\s+6\s+8\.0 GiB\s+2\.0 GiB\s+aaaaaaaa\s+site=lab\s+10s ago$/);
  });
});

describe('formatDeviceDetails', () => {
  it('should show the telemetry REST reports, load average included', () => {
    const device: Device = {
      id: '11111111-2222-4333-8444-555555555555',
      displayName: 'jetson-1',
      state: 'online',
      facts: { cores: 6, memoryBytes: 8 * 1024 ** 3, chosenBackend: 'wasm' },
      telemetry: { freeMemoryBytes: 2 * 1024 ** 3, rssBytes: 300 * 1024 ** 2, loadAverage1m: 0.75, temperatureCelsius: 48.5, batteryLevel: -1, charging: false },
      onlineUntil: '2026-05-01T12:00:30.000Z',
    };

    const text = formatDeviceDetails(device, NOW);

    expect(text).toMatch(/^load \(1m\)\s+0\.75$/m);
    expect(text).toMatch(/^temperature\s+48\.5 °C$/m);
    expect(text).not.toMatch(/^battery/m);
  });
});

describe('formatJobTable', () => {
  const job: Job = {
    id: 'bbbbbbbb-2222-4333-8444-555555555555',
    name: 'cnn-rigl',
    state: 'queued',
    attempt: 1,
    deviceId: null,
    waitingReason: 'no online device with label site=lab',
    spec: { model: 'cnn', method: 'rigl', scheme: 'irregular', density: 0.1, epochs: 3 },
    createdAt: '2026-05-01T11:55:00.000Z',
    updatedAt: '2026-05-01T11:55:00.000Z',
    finishedAt: null,
  };

  it('should describe the training run compactly', () => {
    expect(describeSpec(job.spec)).toBe('cnn rigl/irregular d=0.10 3ep');
  });

  it('should show why a queued job waits, and nothing for a running one', () => {
    const lines = formatJobTable([job, { ...job, state: 'running', deviceId: 'dev-1', waitingReason: 'stale' }], NOW).split('\n');

    expect(lines[1]).toMatch(/queued\s+1\s+cnn rigl\/irregular d=0\.10 3ep\s+-\s+5m ago\s+no online device with label site=lab$/);
    expect(lines[2]).toMatch(/running\s+1\s+cnn rigl\/irregular d=0\.10 3ep\s+dev-1\s+5m ago\s+-$/);
  });
});
