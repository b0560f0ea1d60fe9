// How the dashboard writes numbers, sizes and times.

const BYTE_UNITS = ['B', 'KiB', 'MiB', 'GiB', 'TiB'];

export function formatBytes(bytes: number): string {
  if (!Number.isFinite(bytes) || bytes < 0) return '—';
  let value = bytes;
  let unit = 0;
  while (value >= 1024 && unit < BYTE_UNITS.length - 1) {
    value /= 1024;
    unit += 1;
  }
  return `${value >= 100 || unit === 0 ? Math.round(value) : value.toFixed(1)} ${BYTE_UNITS[unit]}`;
}

/** "12 s ago", "in 3 h": a timestamp relative to `now`; "—" for none. */
export function formatRelative(iso: string | null, now: number = Date.now()): string {
  if (iso === null) return '—';
  const deltaS = Math.round((Date.parse(iso) - now) / 1000);
  const magnitude = Math.abs(deltaS);
  const text =
    magnitude < 60 ? `${magnitude} s` : magnitude < 3600 ? `${Math.round(magnitude / 60)} min` : magnitude < 86_400 ? `${Math.round(magnitude / 3600)} h` : `${Math.round(magnitude / 86_400)} d`;
  return deltaS <= 0 ? `${text} ago` : `in ${text}`;
}

/** A fraction in [0, 1] as a percentage; negative means "not measured". */
export function formatPercent(fraction: number): string {
  return fraction < 0 || !Number.isFinite(fraction) ? '—' : `${(fraction * 100).toFixed(1)}%`;
}

export function formatNumber(value: number, digits = 3): string {
  return Number.isFinite(value) ? String(Number(value.toPrecision(digits))) : '—';
}

/** The first 8 characters of an id, as the CLI shows them. */
export function shortId(id: string): string {
  return id.slice(0, 8);
}
