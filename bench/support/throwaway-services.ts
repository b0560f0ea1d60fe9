// A throw-away PostgreSQL cluster and redis-server on free loopback ports, for the coordinator benchmark's two-node
// run (notes/stack.md recipes). Both live in a temporary folder that stop() removes.
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { chownSync, mkdtempSync, rmSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir, userInfo } from 'node:os';
import path from 'node:path';

const POSTGRES_BIN = '/usr/lib/postgresql/15/bin';
const DATABASE = 'sparsefleet';

export interface ThrowawayServices {
  readonly databaseUrl: string;
  readonly redisUrl: string;
  stop(): Promise<void>;
}

export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address() as { port: number };
      server.close(() => resolve(port));
    });
  });
}

/** Runs a PostgreSQL tool as the `postgres` user when we are root (initdb refuses root), else as ourselves. */
function runPostgresTool(tool: string, args: string[]): void {
  const command = path.join(POSTGRES_BIN, tool);
  const asRoot = userInfo().uid === 0;
  const result = asRoot ? spawnSync('runuser', ['-u', 'postgres', '--', command, ...args], { encoding: 'utf8' }) : spawnSync(command, args, { encoding: 'utf8' });
  if (result.error) throw new Error(`${tool} could not run: ${result.error.message}`);
  if (result.status !== 0) throw new Error(`${tool} ${args.join(' ')} failed (${result.status}): ${result.stderr || result.stdout}`);
}

async function startPostgres(folder: string): Promise<{ url: string; stop: () => void }> {
  const dataDir = path.join(folder, 'pg');
  const port = await freePort();
  runPostgresTool('initdb', ['-D', dataDir, '-U', 'postgres', '--auth=trust', '-E', 'UTF8']);
  const options = `-c listen_addresses=127.0.0.1 -p ${port} -k ${dataDir} -c fsync=off -c max_connections=200`;
  runPostgresTool('pg_ctl', ['-D', dataDir, '-l', path.join(dataDir, 'log'), '-o', options, '-w', '-t', '30', 'start']);
  const stop = () => runPostgresTool('pg_ctl', ['-D', dataDir, '-m', 'immediate', '-w', 'stop']);
  try {
    runPostgresTool('psql', ['-h', '127.0.0.1', '-p', String(port), '-U', 'postgres', '-c', `create database ${DATABASE}`]);
  } catch (error) {
    stop();
    throw error;
  }
  return { url: `postgres://postgres@127.0.0.1:${port}/${DATABASE}`, stop };
}

async function startRedis(): Promise<{ url: string; process: ChildProcess }> {
  const port = await freePort();
  const redis = spawn('redis-server', ['--port', String(port), '--bind', '127.0.0.1', '--save', '', '--appendonly', 'no'], { stdio: ['ignore', 'pipe', 'pipe'] });
  await new Promise<void>((resolve, reject) => {
    let output = '';
    redis.once('error', (error) => reject(new Error(`redis-server could not start (apt-get install -y redis-server): ${error.message}`)));
    redis.once('exit', (code) => reject(new Error(`redis-server exited (${code}): ${output}`)));
    redis.stdout!.on('data', (chunk: Buffer) => {
      output += chunk.toString();
      if (output.includes('Ready to accept connections')) resolve();
    });
  });
  return { url: `redis://127.0.0.1:${port}`, process: redis };
}

export async function startThrowawayServices(): Promise<ThrowawayServices> {
  const folder = mkdtempSync(path.join(tmpdir(), 'sparsefleet-bench-services-'));
  if (userInfo().uid === 0) chownSync(folder, Number(spawnSync('id', ['-u', 'postgres'], { encoding: 'utf8' }).stdout.trim()), 0);
  const postgres = await startPostgres(folder);
  let redis: Awaited<ReturnType<typeof startRedis>>;
  try {
    redis = await startRedis();
  } catch (error) {
    postgres.stop();
    throw error;
  }
  return {
    databaseUrl: postgres.url,
    redisUrl: redis.url,
    async stop() {
      const exited = new Promise((resolve) => redis.process.once('exit', resolve));
      redis.process.kill('SIGTERM');
      await exited;
      postgres.stop();
      rmSync(folder, { recursive: true, force: true });
    },
  };
}
