// `~/.sparsefleet/operator.json`: the coordinator URL and API key saved by `sparsefleet login`. Written with mode
// 0600 (the key is a secret), read by every operator command when --api-key and SPARSEFLEET_API_KEY are absent.
import { chmod, mkdir, readFile, rename, writeFile } from 'node:fs/promises';
import { homedir } from 'node:os';
import { dirname, join } from 'node:path';
import { UsageError } from './errors.js';

export interface OperatorConfigFile {
  readonly server: string;
  readonly apiKey: string;
}

export function defaultOperatorConfigPath(): string {
  return join(homedir(), '.sparsefleet', 'operator.json');
}

/** The saved login, or undefined when there is none. A file that exists but cannot be used is an error. */
export async function readOperatorConfig(path: string): Promise<OperatorConfigFile | undefined> {
  let text: string;
  try {
    text = await readFile(path, 'utf8');
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
    throw new UsageError(`cannot read ${path} (${(error as NodeJS.ErrnoException).code ?? String(error)})`);
  }
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch {
    throw new UsageError(`${path} is not valid JSON; run \`sparsefleet login\` again to rewrite it`);
  }
  const { server, apiKey } = (parsed ?? {}) as Record<string, unknown>;
  if (typeof server !== 'string' || typeof apiKey !== 'string') {
    throw new UsageError(`${path} needs string fields "server" and "apiKey"; run \`sparsefleet login\` again`);
  }
  return { server, apiKey };
}

export async function writeOperatorConfig(path: string, config: OperatorConfigFile): Promise<void> {
  await mkdir(dirname(path), { recursive: true, mode: 0o700 });
  // Write then rename, so a crash never leaves half a file; the temp file is private from its first byte.
  const temporary = `${path}.${process.pid}.tmp`;
  await writeFile(temporary, `${JSON.stringify({ server: config.server, apiKey: config.apiKey }, null, 2)}\n`, {
    mode: 0o600,
  });
  await chmod(temporary, 0o600);
  await rename(temporary, path);
}
