// What every self-contained HTML page of the coordinator (campaign report, campaign comparison) shares: escaping,
// safe embedding of data and scripts, number display, and the page shell with the base style. Pure.

export function escapeHtml(text: string): string {
  return text.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;');
}

/** JSON safe inside a <script> element: no `<` can start `</script>` or `<!--`. */
export function embedJson(value: unknown): string {
  return JSON.stringify(value).replace(/</g, '\\u003c').replace(/\u2028/g, '\\u2028').replace(/\u2029/g, '\\u2029');
}

export function escapeScript(source: string): string {
  return source.replace(/<\/script/gi, '<\\/script');
}

/** Up to 4 decimals for reading; integers as they are. */
export function displayNumber(value: number): string {
  return Number.isInteger(value) ? String(value) : String(Number(value.toFixed(4)));
}

/** A ratio for reading: "4.2×", "37×", "0.85×". */
export function formatTimes(value: number): string {
  return `${significant(value)}×`;
}

/** A fraction as a percentage: 0.625 → "62.5%". */
export function formatPercent(fraction: number): string {
  const percent = fraction * 100;
  return `${Math.abs(percent) >= 10 ? percent.toFixed(0) : Number(percent.toFixed(1))}%`;
}

/** Milliseconds for reading: "0.0183 ms", "1.25 ms", "312 ms", "2.26 s". */
export function formatMs(ms: number): string {
  if (Math.abs(ms) >= 1000) return `${significant(ms / 1000)} s`;
  return `${significant(ms)} ms`;
}

/** Bytes in binary units: "812 B", "42.5 KiB", "1.01 GiB". */
export function formatBytes(bytes: number): string {
  const units = ['B', 'KiB', 'MiB', 'GiB', 'TiB'];
  let value = bytes;
  let unit = 0;
  while (Math.abs(value) >= 1024 && unit < units.length - 1) {
    value /= 1024;
    unit += 1;
  }
  return `${unit === 0 ? value : significant(value)} ${units[unit]}`;
}

/** Three significant digits, at least the integer part: 0.01834 → "0.0183", 4.213 → "4.21", 112.7 → "113". */
export function significant(value: number): string {
  if (!Number.isFinite(value)) return String(value);
  if (value === 0) return '0';
  const digits = Math.abs(value) >= 100 ? 0 : Math.max(0, 2 - Math.floor(Math.log10(Math.abs(value))));
  return String(Number(value.toFixed(Math.min(digits, 8))));
}

/** Base style of every page: readable at 1280 px, tables that fit, numbers aligned. */
export const BASE_STYLE = `
body { font-family: system-ui, sans-serif; margin: 1.5rem auto; max-width: 1240px; padding: 0 1rem; color: #222; }
h1 { font-size: 1.4rem; margin-bottom: 0.2rem; } h2 { font-size: 1.1rem; margin-top: 2rem; }
.meta { color: #555; margin-bottom: 1rem; }
table { border-collapse: collapse; font-size: 0.85rem; }
th, td { border: 1px solid #ddd; padding: 0.2rem 0.45rem; text-align: left; }
td.number { text-align: right; font-variant-numeric: tabular-nums; }
`;

export interface HtmlPage {
  readonly title: string;
  /** Page-specific CSS appended to the base style. */
  readonly style?: string;
  /** The body's HTML (already escaped where it holds text). */
  readonly body: string;
}

export function renderHtmlPage(page: HtmlPage): string {
  return `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>${escapeHtml(page.title)}</title>
<style>${BASE_STYLE}${page.style ?? ''}</style>
</head>
<body>
${page.body}
</body>
</html>
`;
}
