// Which coordinator to talk to and with which key: flags, then environment, then the login file, then defaults.
import { UsageError } from './errors.js';
import { defaultOperatorConfigPath, readOperatorConfig } from './operator-config.js';

export const DEFAULT_SERVER_URL = 'http://127.0.0.1:8080';
export const SERVER_ENV = 'SPARSEFLEET_SERVER';
export const API_KEY_ENV = 'SPARSEFLEET_API_KEY';

/** The flags every operator command accepts. */
export interface ConnectionFlags {
  server?: string;
  apiKey?: string;
}

export interface Connection {
  readonly serverUrl: string;
  readonly apiKey: string | undefined;
}

export interface ResolveConnectionInputs {
  readonly env?: Readonly<Record<string, string | undefined>>;
  /** Default `~/.sparsefleet/operator.json`. */
  readonly configPath?: string;
}

export async function resolveConnection(flags: ConnectionFlags, inputs: ResolveConnectionInputs = {}): Promise<Connection> {
  const env = inputs.env ?? process.env;
  const explicitServer = nonEmpty(flags.server) ?? nonEmpty(env[SERVER_ENV]);
  const explicitKey = nonEmpty(flags.apiKey) ?? nonEmpty(env[API_KEY_ENV]);
  if (explicitServer !== undefined && explicitKey !== undefined) {
    return { serverUrl: normalizeServerUrl(explicitServer), apiKey: explicitKey };
  }
  const saved = await readOperatorConfig(inputs.configPath ?? defaultOperatorConfigPath());
  const serverUrl = normalizeServerUrl(explicitServer ?? saved?.server ?? DEFAULT_SERVER_URL);
  // The saved key belongs to the saved server: never send it to a different coordinator.
  const savedKey = saved !== undefined && normalizeServerUrl(saved.server) === serverUrl ? saved.apiKey : undefined;
  return { serverUrl, apiKey: explicitKey ?? savedKey };
}

/** `host:port` gets http://; the result has no trailing slash. Anything that is not an http(s) URL is a usage error. */
export function normalizeServerUrl(value: string, flag = '--server'): string {
  const text = /^[a-z][a-z0-9+.-]*:\/\//i.test(value.trim()) ? value.trim() : `http://${value.trim()}`;
  let url: URL;
  try {
    url = new URL(text);
  } catch {
    throw new UsageError(`${flag}: not a URL: ${value}`);
  }
  if (url.protocol !== 'http:' && url.protocol !== 'https:') {
    throw new UsageError(`${flag}: must be an http:// or https:// URL, got ${value}`);
  }
  return `${url.origin}${url.pathname.replace(/\/+$/, '')}`;
}

function nonEmpty(value: string | undefined): string | undefined {
  return value === undefined || value.trim() === '' ? undefined : value.trim();
}
