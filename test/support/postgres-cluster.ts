// Vitest globalSetup of the `postgres` test project: one throw-away PostgreSQL cluster for the whole run (initdb +
// pg_ctl on a free loopback port, data in a temp folder, no fsync), removed afterwards. Test harnesses create a fresh
// database in it per coordinator (./test-database.ts). Without the binaries every test there that needs a database
// fails, naming why (the rest of the run goes on): CI installs PostgreSQL, nothing skips.
import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import type { TestProject } from 'vitest/node';

declare module 'vitest' {
  export interface ProvidedContext {
    /** Which database the project's harnesses use (set in vitest.config.ts); absent = SQLite. */
    testDatabase?: 'sqlite' | 'postgres';
    /** Superuser URL of the run's throw-away cluster (its `postgres` database). */
    postgresAdminUrl?: string;
    /** Why there is no cluster: every test that asks for a database fails with this (the others still run). */
    postgresUnavailable?: string;
  }
}

/** initdb refuses to run as root; as root the cluster belongs to this account. */
const CLUSTER_OWNER_WHEN_ROOT = 'postgres';

export default async function startPostgresCluster(project: TestProject): Promise<(() => void) | undefined> {
  try {
    return await startCluster(project);
  } catch (error) {
    // Not thrown: that would abort the whole run, SQLite project included, before any test is counted.
    project.provide('postgresUnavailable', error instanceof Error ? error.message : String(error));
    return undefined;
  }
}

async function startCluster(project: TestProject): Promise<() => void> {
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
      // A throw-away cluster: durability off, room for every fork's coordinators.
      '-c fsync=off -c synchronous_commit=off -c full_page_writes=off -c max_connections=400',
    ].join(' ');
    run(runAs, pgCtl, ['-D', dataDir, '-l', path.join(root, 'server.log'), '-o', serverOptions, '-w', '-t', '60', 'start']);
    project.provide('postgresAdminUrl', `postgres://postgres@127.0.0.1:${port}/postgres`);
  } catch (error) {
    fs.rmSync(root, { recursive: true, force: true });
    throw error;
  }
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
