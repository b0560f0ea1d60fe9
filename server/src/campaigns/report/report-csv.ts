// CSV (RFC 4180) of a campaign report: one header line with the report's columns, one line per result. Numbers
// are written as JavaScript prints them (shortest text that reads back as the same double), never rounded.
import type { CampaignReport, ReportValue } from './report-data.js';

export function renderReportCsv(report: CampaignReport): string {
  const lines = [report.columns.map(csvField).join(',')];
  for (const row of report.rows) lines.push(report.columns.map((column) => csvField(csvText(row.values[column] ?? null))).join(','));
  return `${lines.join('\r\n')}\r\n`;
}

export function csvText(value: ReportValue): string {
  if (value === null) return '';
  return String(value);
}

function csvField(text: string): string {
  return /[",\r\n]/.test(text) ? `"${text.replace(/"/g, '""')}"` : text;
}

/** Parses CSV written by renderReportCsv (quoted fields, CRLF); used by tests and tools reading reports back. */
export function parseCsv(text: string): string[][] {
  const rows: string[][] = [];
  let row: string[] = [];
  let field = '';
  let quoted = false;
  for (let i = 0; i < text.length; i += 1) {
    const char = text[i]!;
    if (quoted) {
      if (char === '"' && text[i + 1] === '"') {
        field += '"';
        i += 1;
      } else if (char === '"') quoted = false;
      else field += char;
    } else if (char === '"') quoted = true;
    else if (char === ',') {
      row.push(field);
      field = '';
    } else if (char === '\n' || char === '\r') {
      if (char === '\r' && text[i + 1] === '\n') i += 1;
      row.push(field);
      rows.push(row);
      row = [];
      field = '';
    } else field += char;
  }
  if (field !== '' || row.length > 0) rows.push([...row, field]);
  return rows;
}
