// `sparsefleet tokens create|list|revoke`: enrollment tokens devices use to join the fleet.
import type { Command } from 'commander';
import { enrollmentUrl, isLoopbackUrl } from '../../../protocol/src/index.js';
import type { CreateTokenRequest } from '../operator/api-types.js';
import {
  addConnectionOptions,
  addJsonOption,
  collectRepeated,
  exitWithUsageCode,
  operatorAction,
  positiveIntegerOption,
  type JsonFlag,
  type OperatorContext,
} from '../operator/command-kit.js';
import type { ConnectionFlags } from '../operator/connection.js';
import { parseDurationFlag } from '../operator/duration.js';
import { normalizeServerUrl } from '../operator/connection.js';
import { renderTerminalQr } from '../operator/enrollment-qr.js';
import { resolveIdPrefix } from '../operator/id-prefix.js';
import { parseLabelPairs } from '../operator/labels.js';
import { printJson } from '../operator/output.js';
import { formatCreatedToken, formatEnrollmentLink, formatTokenTable } from '../operator/token-view.js';

export interface TokensCreateOptions extends JsonFlag {
  maxUses?: number;
  /** A duration such as 30m, 24h, 7d. */
  ttl?: string;
  /** `k=v` pairs applied to devices enrolled with the token. */
  label?: string[];
  /** Also print the enrollment URL (`<coordinator>/agent/#token=…`) and its QR code. */
  qr?: boolean;
  /** The coordinator URL devices reach (default: the one this command talks to); used in the enrollment URL. */
  publicUrl?: string;
}

export async function runTokensCreate(context: OperatorContext, options: TokensCreateOptions): Promise<number> {
  const request: CreateTokenRequest = {};
  if (options.maxUses !== undefined) request.maxUses = options.maxUses;
  if (options.ttl !== undefined) request.ttlSeconds = parseDurationFlag('--ttl', options.ttl);
  if (options.label !== undefined && options.label.length > 0) request.labels = parseLabelPairs(options.label);
  // Checked before the token exists: a bad --public-url must not cost a created, never-shown token.
  const devicesReach = options.publicUrl === undefined ? context.api.serverUrl : normalizeServerUrl(options.publicUrl, '--public-url');
  const created = await context.api.createToken(request);
  const url = options.qr ? enrollmentUrl(devicesReach, created.token) : undefined;
  if (options.json) printJson(context.output, url === undefined ? created : { ...created, enrollmentUrl: url });
  else {
    context.output.out(formatCreatedToken(created, request.labels, context.api.serverUrl));
    if (url !== undefined) {
      context.output.out(formatEnrollmentLink(url, await renderTerminalQr(url)));
      if (isLoopbackUrl(devicesReach)) context.output.err(loopbackHint(devicesReach));
    }
  }
  return 0;
}

function loopbackHint(serverUrl: string): string {
  const port = new URL(serverUrl).port || '8080';
  return (
    `note: ${serverUrl} is reachable from this machine only; for a phone, pass --public-url http://<this machine's ` +
    `LAN address>:${port} (and run \`sparsefleet serve --host 0.0.0.0\`)`
  );
}

export async function runTokensList(context: OperatorContext, options: JsonFlag): Promise<number> {
  const tokens = await context.api.listTokens();
  if (options.json) printJson(context.output, tokens);
  else context.output.out(tokens.length === 0 ? 'no enrollment tokens' : formatTokenTable(tokens));
  return 0;
}

export async function runTokensRevoke(context: OperatorContext, id: string, options: JsonFlag): Promise<number> {
  const tokenId = await resolveIdPrefix('token', id, async () => (await context.api.listTokens()).map((token) => token.id));
  await context.api.revokeToken(tokenId);
  if (options.json) printJson(context.output, { id: tokenId, revoked: true });
  else context.output.out(`revoked enrollment token ${tokenId}`);
  return 0;
}

type Flags<T> = T & ConnectionFlags;

export function registerTokensCommand(program: Command): void {
  const tokens = program.command('tokens').description('enrollment tokens that let devices join the fleet');
  const leaf = (command: Command) => exitWithUsageCode(addJsonOption(addConnectionOptions(command)));

  leaf(
    tokens
      .command('create')
      .description('create a token (printed once); devices enroll with `sparsefleet agent --token`')
      .option('--max-uses <n>', 'how many devices may enroll with it (default 1)', positiveIntegerOption('--max-uses'))
      .option('--ttl <duration>', 'lifetime, e.g. 30m, 24h, 7d (default: the coordinator\'s, 24h)')
      .option('--label <key=value>', 'label for devices enrolled with it (repeatable)', collectRepeated)
      .option('--qr', 'also print the enrollment URL (<coordinator>/agent/#token=…) and its QR code for a phone to scan')
      .option('--public-url <url>', 'coordinator URL as devices reach it, for the enrollment URL (default: --server)'),
  ).action(operatorAction<Flags<TokensCreateOptions>>((context, _args, options) => runTokensCreate(context, options)));

  leaf(tokens.command('list').description('list tokens (never their secrets)')).action(
    operatorAction<Flags<JsonFlag>>((context, _args, options) => runTokensList(context, options)),
  );

  leaf(tokens.command('revoke').description('revoke a token so no more devices can use it').argument('<id>', 'token id or unique prefix')).action(
    operatorAction<Flags<JsonFlag>>((context, args, options) => runTokensRevoke(context, args[0]!, options)),
  );
}
