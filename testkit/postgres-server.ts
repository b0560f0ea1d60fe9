// A throw-away PostgreSQL cluster for tests and benchmarks: initdb + pg_ctl on a free loopback port, data in a
// temporary folder, durability off, removed on stop. initdb refuses to run as root: as root the cluster belongs to
// the `postgres` account. Fails loudly, naming the fix, when the server binaries are missing.
import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { freeLoopbackPort } from './free-port.js';

export interface ThrowawayPostgres {
  /** Superuser URL of the cluster's `postgres` database: postgres://postgres@127.0.0.1:PORT/postgres */
  readonly adminUrl: string;
  /** Stops the cluster at once and removes its folder. */
  stop(): void;
}

/** initdb refuses to run as root; as root the cluster belongs to this account. */
const CLUSTER_OWNER_WHEN_ROOT = 'postgres';

export async function startThrowawayPostgres(options: { readonly maxConnections?: number } = {}): Promise<ThrowawayPostgres> {
  const binDir = findPostgresBinaries();
  const root = fs.mkdtempSync(path.join(os.tmpdir(), 'sparsefleet-pg-'));
  const dataDir = path.join(root, 'data');
  const runAs = process.getuid?.() === 0 ? CLUSTER_OWNER_WHEN_ROOT : undefined;
  if (runAs !== undefined) execFileSync('chown', [runAs, root]);
  const pgCtl = path.join(binDir, 'pg_ctl');
  try {
    const port = await freeLoopbackPort();
    run(runAs, path.join(binDir, 'initdb'), ['-D', dataDir, '-U', 'postgres', '--auth=trust', '-E', 'UTF8', '--no-sync']);
    const serverOptions = [
      `-c listen_addresses=127.0.0.1 -p ${port} -k ${root}`,
      // A throw-away cluster: durability off.
      `-c fsync=off -c synchronous_commit=off -c full_page_writes=off -c max_connections=${options.maxConnections ?? 400}`,
    ].join(' ');
    run(runAs, pgCtl, ['-D', dataDir, '-l', path.join(root, 'server.log'), '-o', serverOptions, '-w', '-t', '60', 'start']);
    return {
      adminUrl: `postgres://postgres@127.0.0.1:${port}/postgres`,
      stop() {
        try {
          run(runAs, pgCtl, ['-D', dataDir, '-m', 'immediate', '-w', 'stop']);
        } finally {
          fs.rmSync(root, { recursive: true, force: true });
        }
      },
    };
  } catch (error) {
    fs.rmSync(root, { recursive: true, force: true });
    throw error;
  }
}

/** SPARSEFLEET_PG_BIN, else `pg_config --bindir`, else the newest /usr/lib/postgresql/N/bin. */
function findPostgresBinaries(): string {
  const candidates = [process.env.SPARSEFLEET_PG_BIN, pgConfigBinDir(), ...debianBinDirs()].filter((dir): dir is string => !!dir);
  const found = candidates.find((dir) => fs.existsSync(path.join(dir, 'initdb')) && fs.existsSync(path.join(dir, 'pg_ctl')));
  if (found === undefined) {
    throw new Error(
      'PostgreSQL server binaries (initdb, pg_ctl) not found: install PostgreSQL (Debian: apt-get install postgresql) ' +
        'or set SPARSEFLEET_PG_BIN; the postgres test project does not skip without them',
    );
  }
  return found;
}

function pgConfigBinDir(): string | undefined {
  try {
    return execFileSync('pg_config', ['--bindir'], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'ignore'] }).trim();
  } catch {
    return undefined;
  }
}

function debianBinDirs(): string[] {
  const base = '/usr/lib/postgresql';
  if (!fs.existsSync(base)) return [];
  return fs
    .readdirSync(base)
    .filter((version) => /^\d+$/.test(version))
    .sort((a, b) => Number(b) - Number(a))
    .map((version) => path.join(base, version, 'bin'));
}

function run(runAs: string | undefined, command: string, args: readonly string[]): void {
  const runuser = fs.existsSync('/usr/sbin/runuser') ? '/usr/sbin/runuser' : 'runuser';
  const [file, fileArgs] = runAs === undefined ? [command, args] : [runuser, ['-u', runAs, '--', command, ...args]];
  try {
    execFileSync(file, fileArgs, { stdio: ['ignore', 'pipe', 'pipe'], cwd: os.tmpdir() });
  } catch (error) {
    const output = error as Error & { stdout?: Buffer; stderr?: Buffer };
    const said = `${String(output.stderr ?? '')}${String(output.stdout ?? '')}`.trim();
    throw new Error(`${path.basename(command)} failed: ${said || output.message}`);
  }
}
