// Enrollment tokens as text: the one-time display of a new token and the token table.
import type { CreatedToken, Labels, TokenSummary } from './api-types.js';
import { formatRelative } from './duration.js';
import { shortId } from './format.js';
import { formatLabels } from './labels.js';
import { formatKeyValues, formatTable, type Column } from './table.js';

export function tokenStatus(token: TokenSummary, now: Date): string {
  if (token.revokedAt) return 'revoked';
  if (Date.parse(token.expiresAt) <= now.getTime()) return 'expired';
  if (token.uses >= token.maxUses) return 'used up';
  return 'active';
}

export function formatTokenTable(tokens: readonly TokenSummary[], now: Date = new Date()): string {
  const columns: Column<TokenSummary>[] = [
    { header: 'ID', value: (token) => shortId(token.id) },
    { header: 'PREFIX', value: (token) => token.prefix },
    { header: 'STATUS', value: (token) => tokenStatus(token, now) },
    { header: 'USES', value: (token) => `${token.uses}/${token.maxUses}`, align: 'right' },
    { header: 'EXPIRES', value: (token) => formatRelative(token.expiresAt, now) },
    { header: 'LABELS', value: (token) => formatLabels(token.labels) },
  ];
  return formatTable(columns, tokens);
}

export function formatCreatedToken(created: CreatedToken, labels: Labels | undefined, serverUrl: string, now: Date = new Date()): string {
  return [
    formatKeyValues([
      ['token', created.token],
      ['id', created.id],
      ['max uses', String(created.maxUses)],
      ['expires', `${created.expiresAt} (${formatRelative(created.expiresAt, now)})`],
      ['labels', labels === undefined ? undefined : formatLabels(labels)],
    ]),
    '',
    'The token is shown only once. Enroll a device with:',
    `  sparsefleet agent --server ${serverUrl} --token ${created.token}`,
  ].join('\n');
}

/** The enrollment URL of a new token and its QR code: what `tokens create --qr` adds below the token. */
export function formatEnrollmentLink(url: string, qr: string): string {
  return ['', 'Or open this URL on the device (a phone can scan the QR code); the token is in the fragment only:', `  ${url}`, '', qr].join('\n');
}
