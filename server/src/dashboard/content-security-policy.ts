// The Content-Security-Policy of the dashboard's pages: scripts, styles and requests from the coordinator only, no
// other origin at all. The one exception is the campaign report the dashboard shows in a sandboxed frame (srcdoc,
// which inherits this policy): its two inline scripts (chart.js and the chart drawing) are allowed by their hashes,
// and its inline <style> by 'unsafe-inline' for styles. The API key lives in sessionStorage, so no script that did
// not come from the coordinator may run.
import { createHash } from 'node:crypto';
import { reportInlineScripts } from '../campaigns/report/report-html.js';

let cached: string | undefined;

export function dashboardContentSecurityPolicy(): string {
  cached ??= [
    "default-src 'none'",
    `script-src 'self' ${reportInlineScripts().map(scriptHashSource).join(' ')}`,
    "style-src 'self' 'unsafe-inline'",
    "img-src 'self' data:",
    "connect-src 'self'",
    "base-uri 'none'",
    "form-action 'none'",
    "frame-ancestors 'none'",
  ].join('; ');
  return cached;
}

function scriptHashSource(script: string): string {
  return `'sha256-${createHash('sha256').update(script, 'utf8').digest('base64')}'`;
}
