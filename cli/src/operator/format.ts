// Small value formatters shared by the tables: bytes, ratios, optional numbers.

export function formatBytes(bytes: number | null | undefined): string {
  if (bytes === null || bytes === undefined || !Number.isFinite(bytes) || bytes < 0) return '-';
  const units = ['B', 'KiB', 'MiB', 'GiB', 'TiB'];
  let value = bytes;
  let unit = 0;
  while (value >= 1024 && unit < units.length - 1) {
    value /= 1024;
    unit += 1;
  }
  return unit === 0 ? `${value} B` : `${value.toFixed(value < 10 ? 1 : 0)} ${units[unit]}`;
}

/** A number with `digits` decimals, or '-' for missing/negative-sentinel/non-finite values. */
export function formatMetric(value: number | null | undefined, digits = 4): string {
  if (value === null || value === undefined || !Number.isFinite(value) || value < 0) return '-';
  return value.toFixed(digits);
}

export function formatPercent(value: number | null | undefined): string {
  if (value === null || value === undefined || !Number.isFinite(value) || value < 0) return '-';
  return `${(value * 100).toFixed(1)}%`;
}

/** Ids are long; the first 8 characters are enough to tell them apart in a table. */
export function shortId(id: string | null | undefined): string {
  if (id === null || id === undefined || id === '') return '-';
  return id.length > 12 ? id.slice(0, 8) : id;
}

export function orDash(value: string | number | null | undefined): string {
  return value === null || value === undefined || value === '' ? '-' : String(value);
}
