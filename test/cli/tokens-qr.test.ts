// `sparsefleet tokens create --qr` through the real command line (commander wiring, connection flags, exit codes)
// against a real coordinator: the enrollment URL is printed with the token in its fragment only, the QR block that
// follows encodes exactly that URL, and failures end in one error line.
import { mkdtemp, rm } from 'node:fs/promises';
import { createServer, type AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Command } from 'commander';
import QRCode from 'qrcode';
import { afterAll, afterEach, beforeAll, describe, expect, it, vi } from 'vitest';
import { runApiKeyCreate } from '../../cli/src/commands/apikey.js';
import { registerTokensCommand } from '../../cli/src/commands/tokens.js';
import { BufferedOutput } from '../../cli/src/operator/output.js';
import type { TokenSummary } from '../../cli/src/operator/api-types.js';
import { startCoordinator, type RunningCoordinator } from '../../server/src/coordinator.js';

interface CliRun {
  readonly exitCode: number;
  readonly stdout: string;
  readonly stderr: string;
}

const ANSI_ESCAPE = /\x1b\[[0-9;]*m/g;
/** terminal-small's characters, black on white: which of the two modules (top, bottom) a character shows dark. */
const HALF_BLOCKS: Readonly<Record<string, readonly [boolean, boolean]>> = {
  ' ': [false, false],
  '▀': [true, false],
  '▄': [false, true],
  '█': [true, true],
};

/** The QR modules drawn in `text` (the block after the URL), read back row by row; the quiet zone is dropped. */
function modulesDrawn(text: string, size: number): boolean[] {
  const lines = text.replace(ANSI_ESCAPE, '').split('\n').filter((line) => /[▀▄█]/.test(line));
  const modules: boolean[] = [];
  // Line i holds rows 2i-1 (top) and 2i (bottom); row -1 is the quiet zone. Column 0 is the quiet zone too.
  const rows: boolean[][] = [];
  for (const line of lines) {
    const chars = [...line].slice(1, size + 1);
    rows.push(chars.map((char) => HALF_BLOCKS[char]?.[0] ?? false), chars.map((char) => HALF_BLOCKS[char]?.[1] ?? false));
  }
  for (const row of rows.slice(1, size + 1)) modules.push(...row);
  return modules;
}

/** A loopback port nothing listens on (bound once by the OS, then released). */
async function closedPort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  await new Promise<void>((resolve) => server.close(() => resolve()));
  return port;
}

function expectedModules(text: string): { size: number; modules: boolean[] } {
  const qr = QRCode.create(text, {});
  return { size: qr.modules.size, modules: Array.from(qr.modules.data, (bit) => bit === 1) };
}

describe('sparsefleet tokens create --qr', () => {
  let dataDir: string;
  let coordinator: RunningCoordinator;
  let apiKey: string;

  /** Runs `sparsefleet <args>` in this process, capturing what it writes and the exit code it sets. */
  async function sparsefleet(...args: string[]): Promise<CliRun> {
    const stdout: string[] = [];
    const stderr: string[] = [];
    vi.spyOn(process.stdout, 'write').mockImplementation((chunk: string | Uint8Array) => stdout.push(String(chunk)) > 0);
    vi.spyOn(process.stderr, 'write').mockImplementation((chunk: string | Uint8Array) => stderr.push(String(chunk)) > 0);
    process.exitCode = undefined;
    try {
      const program = new Command().name('sparsefleet');
      registerTokensCommand(program);
      await program.parseAsync(['node', 'sparsefleet', ...args]);
      return { exitCode: Number(process.exitCode ?? 0), stdout: stdout.join(''), stderr: stderr.join('') };
    } finally {
      vi.restoreAllMocks();
      process.exitCode = undefined;
    }
  }

  async function listTokens(): Promise<TokenSummary[]> {
    const response = await fetch(`${coordinator.url}/api/enrollment-tokens`, { headers: { authorization: `Bearer ${apiKey}` } });
    return (await response.json()) as TokenSummary[];
  }

  beforeAll(async () => {
    dataDir = await mkdtemp(join(tmpdir(), 'sf-tokens-qr-'));
    const bootstrap = new BufferedOutput();
    await runApiKeyCreate({ dataDir, name: 'qr test', json: true }, bootstrap);
    apiKey = (JSON.parse(bootstrap.stdout) as { key: string }).key;
    coordinator = await startCoordinator({ port: 0, dataDir, logLevel: 'silent' });
  });

  afterEach(() => vi.restoreAllMocks());

  afterAll(async () => {
    await coordinator?.close();
    await rm(dataDir, { recursive: true, force: true });
  });

  it('should print the enrollment URL with the token in its fragment only, and a QR code of that URL', async () => {
    // Execute
    const run = await sparsefleet('tokens', 'create', '--qr', '--server', coordinator.url, '--api-key', apiKey);

    // Assert: the token line, then the URL, then the QR block.
    expect(run.exitCode).toBe(0);
    const token = run.stdout.match(/^token\s+(\S+)$/m)?.[1];
    expect(token).toBeDefined();
    const urlText = run.stdout.match(/^\s+(http:\/\/\S+\/agent\/#\S+)$/m)?.[1];
    expect(urlText).toBe(`${coordinator.url}/agent/#token=${encodeURIComponent(token!)}`);
    const url = new URL(urlText!);
    expect(url.pathname + url.search).not.toContain(token!);
    expect(new URLSearchParams(url.hash.slice(1)).get('token')).toBe(token);

    const qrBlock = run.stdout.slice(run.stdout.indexOf(urlText!) + urlText!.length);
    const expected = expectedModules(urlText!);
    expect(modulesDrawn(qrBlock, expected.size)).toEqual(expected.modules);
    // 127.0.0.1 is this machine only: the operator is told how to give phones an address they can reach.
    expect(run.stderr).toMatch(/^note: .* reachable from this machine only; for a phone, pass --public-url/);
  });

  it('should build the URL on --public-url when devices reach the coordinator at another address', async () => {
    const run = await sparsefleet('tokens', 'create', '--qr', '--public-url', 'https://fleet.example:9443/', '--server', coordinator.url, '--api-key', apiKey);

    expect(run.exitCode).toBe(0);
    expect(run.stdout).toMatch(/^\s+https:\/\/fleet\.example:9443\/agent\/#token=\S+$/m);
    expect(run.stderr).toBe('');
  });

  it('should add the enrollment URL to the --json answer', async () => {
    const run = await sparsefleet('tokens', 'create', '--qr', '--json', '--server', coordinator.url, '--api-key', apiKey);

    const created = JSON.parse(run.stdout) as { token: string; enrollmentUrl: string };
    expect(created.enrollmentUrl).toBe(`${coordinator.url}/agent/#token=${encodeURIComponent(created.token)}`);
  });

  it('should print no URL or QR code without --qr', async () => {
    const run = await sparsefleet('tokens', 'create', '--server', coordinator.url, '--api-key', apiKey);

    expect(run.exitCode).toBe(0);
    expect(run.stdout).not.toContain('/agent/#token=');
    expect(run.stdout).not.toMatch(/[▀▄█]/);
  });

  it('should refuse a bad --public-url in one line before creating a token', async () => {
    const before = (await listTokens()).length;

    const run = await sparsefleet('tokens', 'create', '--qr', '--public-url', 'ftp://phone', '--server', coordinator.url, '--api-key', apiKey);

    expect(run.exitCode).toBe(2);
    expect(run.stderr).toBe('error: --public-url: must be an http:// or https:// URL, got ftp://phone\n');
    expect(run.stdout).toBe('');
    expect((await listTokens()).length).toBe(before);
  });

  it('should say in one line that a wrong API key was rejected', async () => {
    const run = await sparsefleet('tokens', 'create', '--qr', '--server', coordinator.url, '--api-key', 'not-a-key');

    expect(run.exitCode).toBe(1);
    expect(run.stderr.trimEnd().split('\n')).toHaveLength(1);
    expect(run.stderr).toMatch(/^error: 401 .*the API key was rejected/);
    expect(run.stdout).toBe('');
  });

  it('should say in one line that the coordinator cannot be reached', async () => {
    const goneUrl = `http://127.0.0.1:${await closedPort()}`;

    const run = await sparsefleet('tokens', 'create', '--qr', '--server', goneUrl, '--api-key', apiKey);

    expect(run.exitCode).toBe(1);
    expect(run.stderr).toBe(`error: cannot reach the coordinator at ${goneUrl} (ECONNREFUSED)\n`);
    expect(run.stdout).toBe('');
  });
});
