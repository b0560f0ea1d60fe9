// Vitest globalSetup of the `postgres` test project: one throw-away PostgreSQL cluster for the whole run (initdb +
// pg_ctl on a free loopback port, data in a temp folder, no fsync), removed afterwards. Test harnesses create a fresh
// database in it per coordinator (./test-database.ts). Missing binaries fail the project: CI installs PostgreSQL.
import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import type { TestProject } from 'vitest/node';

declare module 'vitest' {
  export interface ProvidedContext {
    /** Superuser URL of the run's throw-away cluster (its `postgres` database); absent in the SQLite project. */
    postgresAdminUrl?: string;
  }
}

/** initdb refuses to run as root; as root the cluster belongs to this account. */
const CLUSTER_OWNER_WHEN_ROOT = 'postgres';

export default async function startPostgresCluster(project: TestProject): Promise<() => void> {
  const binDir = findPostgresBinaries();
  const root = fs.mkdtempSync(path.join(os.tmpdir(), 'sparsefleet-pg-'));
  const dataDir = path.join(root, 'data');
  const runAs = process.getuid?.() === 0 ? CLUSTER_OWNER_WHEN_ROOT : undefined;
  if (runAs !== undefined) execFileSync('chown', [runAs, root]);
  const port = await freeLoopbackPort();
  const pgCtl = path.join(binDir, 'pg_ctl');
  run(runAs, path.join(binDir, 'initdb'), ['-D', dataDir, '-U', 'postgres', '--auth=trust', '-E', 'UTF8', '--no-sync']);
  const serverOptions = [
    `-c listen_addresses=127.0.0.1 -p ${port} -k ${root}`,
    // A throw-away cluster: durability off, room for every fork's coordinators.
    '-c fsync=off -c synchronous_commit=off -c full_page_writes=off -c max_connections=400',
  ].join(' ');
  run(runAs, pgCtl, ['-D', dataDir, '-l', path.join(root, 'server.log'), '-o', serverOptions, '-w', '-t', '60', 'start']);
  project.provide('postgresAdminUrl', `postgres://postgres@127.0.0.1:${port}/postgres`);
  return () => {
    try {
      run(runAs, pgCtl, ['-D', dataDir, '-m', 'immediate', '-w', 'stop']);
    } finally {
      fs.rmSync(root, { recursive: true, force: true });
    }
  };
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
  const [file, fileArgs] = runAs === undefined ? [command, args] : ['runuser', ['-u', runAs, '--', command, ...args]];
  try {
    execFileSync(file, fileArgs, { stdio: ['ignore', 'pipe', 'pipe'], cwd: os.tmpdir() });
  } catch (error) {
    const output = error as { stdout?: Buffer; stderr?: Buffer };
    throw new Error(`${path.basename(command)} failed: ${String(output.stderr ?? '')}${String(output.stdout ?? '')}`.trim());
  }
}

function freeLoopbackPort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = net.createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address() as net.AddressInfo;
      server.close(() => resolve(port));
    });
  });
}
