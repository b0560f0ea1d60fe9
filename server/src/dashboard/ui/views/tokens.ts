// Enrollment tokens: create one (its secret and enrollment URL are shown once, with the URL as a QR code a phone
// scans to open the browser agent) and revoke. The URL is built exactly as `tokens create --qr` builds it.
import type { CreateEnrollmentTokenBody, CreatedEnrollmentTokenDto, EnrollmentTokenDto } from '../../../api/dto/index.js';
import { enrollmentUrl, isLoopbackUrl } from '../../../../../protocol/src/enrollment-url.js';
import { el, replaceChildren, table, type Column } from '../dom.js';
import { qrSvg } from '../enrollment-qr.js';
import { formatRelative, shortId } from '../format.js';
import type { View, ViewContext } from '../view.js';

const LIFETIMES: ReadonlyArray<readonly [label: string, seconds: number]> = [
  ['1 hour', 3600],
  ['24 hours', 24 * 3600],
  ['7 days', 7 * 24 * 3600],
];

export function tokensView(context: ViewContext): View {
  const maxUses = el('input', { attrs: { type: 'number', min: '1', value: '1', name: 'maxUses', required: '' } });
  const lifetime = el('select', { attrs: { name: 'lifetime' } }, ...LIFETIMES.map(([label, seconds]) => el('option', { attrs: { value: String(seconds) } }, label)));
  lifetime.value = String(24 * 3600);
  const labels = el('input', { attrs: { type: 'text', name: 'labels', placeholder: 'site=lab, tier=phone' } });
  const formMessage = el('p', { className: 'message', attrs: { role: 'alert' } });
  const form = el(
    'form',
    { className: 'create-token', on: { submit: (event) => void create(event) } },
    el('label', {}, 'Devices it may enroll ', maxUses),
    el('label', {}, 'Valid for ', lifetime),
    el('label', {}, 'Labels ', labels),
    el('button', { attrs: { type: 'submit' } }, 'Create token'),
    formMessage,
  );
  const created = el('div', { className: 'created-token' });
  const list = el('div');
  const element = el('section', { attrs: { 'data-page': 'tokens' } }, el('h2', {}, 'Enrollment tokens'), form, created, list);

  const columns: Column<EnrollmentTokenDto>[] = [
    { header: 'ID', cell: (token) => el('span', { attrs: { title: token.id } }, shortId(token.id)) },
    { header: 'Prefix', cell: (token) => token.prefix },
    { header: 'Status', cell: (token) => el('span', { className: `state state-${tokenStatus(token).replace(' ', '-')}` }, tokenStatus(token)) },
    { header: 'Uses', cell: (token) => `${token.uses}/${token.maxUses}`, numeric: true },
    { header: 'Expires', cell: (token) => formatRelative(token.expiresAt) },
    { header: 'Labels', cell: (token) => Object.entries(token.labels).map(([key, value]) => `${key}=${value}`).join(', ') || '—' },
    {
      header: '',
      cell: (token) =>
        token.revokedAt === null ? el('button', { className: 'revoke', attrs: { type: 'button' }, on: { click: () => void revoke(token) } }, 'Revoke') : null,
    },
  ];

  async function create(event: SubmitEvent): Promise<void> {
    event.preventDefault();
    formMessage.textContent = '';
    let body: CreateEnrollmentTokenBody;
    try {
      body = { maxUses: Number(maxUses.value), ttlSeconds: Number(lifetime.value), labels: parseLabels(labels.value) };
    } catch (error) {
      formMessage.textContent = (error as Error).message;
      return;
    }
    try {
      const token = await context.api.createToken(body);
      await showCreated(token);
      await refresh();
    } catch (error) {
      context.fail(error);
    }
  }

  async function showCreated(token: CreatedEnrollmentTokenDto): Promise<void> {
    const url = enrollmentUrl(context.api.baseUrl, token.token);
    const link = el('a', { className: 'enrollment-url', attrs: { href: url, target: '_blank', rel: 'noopener noreferrer' } }, url);
    replaceChildren(
      created,
      el('h3', {}, `Token ${shortId(token.id)} created`),
      el('p', {}, 'Shown only this once. Scan the code with the phone, or open the URL on the device (the token is in its fragment, which is never sent to a server):'),
      el('div', { className: 'qr' }, await qrSvg(url)),
      el('p', {}, link),
      isLoopbackUrl(url) &&
        el(
          'p',
          { className: 'message' },
          'This page is open at a loopback address, which a phone cannot reach: open the dashboard at the address devices use ' +
            '(start the coordinator with `sparsefleet serve --host 0.0.0.0`) and create the token there.',
        ),
      el('p', { className: 'summary' }, 'Or on a Node device: ', el('code', {}, `sparsefleet agent --server ${context.api.baseUrl.replace(/\/$/, '')} --token ${token.token}`)),
    );
  }

  async function revoke(token: EnrollmentTokenDto): Promise<void> {
    try {
      await context.api.revokeToken(token.id);
      await refresh();
    } catch (error) {
      context.fail(error);
    }
  }

  async function refresh(): Promise<void> {
    const tokens = (await context.api.listTokens()).reverse();
    replaceChildren(list, table(columns, tokens, (token) => token.id, 'No enrollment tokens yet.'));
  }

  return { element, refresh };
}

function tokenStatus(token: EnrollmentTokenDto, now: number = Date.now()): string {
  if (token.revokedAt) return 'revoked';
  if (Date.parse(token.expiresAt) <= now) return 'expired';
  if (token.uses >= token.maxUses) return 'used up';
  return 'active';
}

/** "site=lab, tier=phone" → { site: 'lab', tier: 'phone' }; the coordinator checks keys and values. */
function parseLabels(text: string): Record<string, string> {
  const labels: Record<string, string> = {};
  for (const pair of text.split(',').map((part) => part.trim()).filter((part) => part !== '')) {
    const equals = pair.indexOf('=');
    if (equals <= 0) throw new Error(`labels are key=value pairs separated by commas; "${pair}" is not one`);
    labels[pair.slice(0, equals).trim()] = pair.slice(equals + 1).trim();
  }
  return labels;
}
