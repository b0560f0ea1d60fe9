// A throw-away redis-server for tests and benchmarks: its own process on a free loopback port, nothing written to
// disk (no RDB, no AOF, its working folder a temporary one removed on stop). Fails loudly when redis-server is not
// installed.
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { createConnection } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { freeLoopbackPort } from './free-port.js';

export interface TestRedisServer {
  readonly port: number;
  /** redis://127.0.0.1:PORT */
  readonly url: string;
  /** Stops the server and removes its folder; safe to call more than once. */
  stop(): Promise<void>;
}

const PORT_ATTEMPTS = 5;
const READY_POLLS = 200;
const READY_POLL_MS = 25;
const STOP_GRACE_MS = 5_000;

export async function startRedisServer(): Promise<TestRedisServer> {
  let lastFailure: Error | undefined;
  // The port is free when picked but could be taken before redis-server binds it: pick again.
  for (let attempt = 0; attempt < PORT_ATTEMPTS; attempt++) {
    const port = await freeLoopbackPort();
    try {
      return await startOn(port);
    } catch (error) {
      if (error instanceof RedisServerMissing) throw error;
      lastFailure = error as Error;
    }
  }
  throw new Error(`redis-server did not start after ${PORT_ATTEMPTS} ports: ${lastFailure?.message}`);
}

class RedisServerMissing extends Error {}

async function startOn(port: number): Promise<TestRedisServer> {
  const dir = mkdtempSync(join(tmpdir(), 'sparsefleet-redis-'));
  const child = spawn(
    'redis-server',
    ['--port', String(port), '--bind', '127.0.0.1', '--save', '', '--appendonly', 'no', '--dir', dir, '--daemonize', 'no'],
    { stdio: ['ignore', 'pipe', 'pipe'] },
  );
  const output = keepTail(child);
  const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
  const spawnFailure = new Promise<never>((_, reject) =>
    child.once('error', (error: NodeJS.ErrnoException) =>
      reject(
        error.code === 'ENOENT'
          ? new RedisServerMissing('redis-server is not installed (apt-get install redis-server): the cluster tests need it')
          : error,
      ),
    ),
  );
  spawnFailure.catch(() => undefined);

  let stopped: Promise<void> | undefined;
  const stop = (): Promise<void> =>
    (stopped ??= (async () => {
      if (child.exitCode === null && child.signalCode === null) {
        child.kill('SIGTERM');
        const killer = setTimeout(() => child.kill('SIGKILL'), STOP_GRACE_MS);
        await exited;
        clearTimeout(killer);
      }
      rmSync(dir, { recursive: true, force: true });
    })());

  try {
    await Promise.race([waitForPong(port), spawnFailure, exited.then((code) => Promise.reject(new Error(`redis-server exited (${code}): ${output()}`)))]);
  } catch (error) {
    await stop();
    throw error;
  }
  return { port, url: `redis://127.0.0.1:${port}`, stop };
}

/** The last few KiB of the server's output, for error messages. */
function keepTail(child: ChildProcess): () => string {
  let tail = '';
  const keep = (chunk: Buffer): void => {
    tail = (tail + chunk.toString('utf8')).slice(-4096);
  };
  child.stdout?.on('data', keep);
  child.stderr?.on('data', keep);
  return () => tail.trim();
}

async function waitForPong(port: number): Promise<void> {
  for (let poll = 0; poll < READY_POLLS; poll++) {
    if (await answersPing(port)) return;
    await new Promise((resolve) => setTimeout(resolve, READY_POLL_MS));
  }
  throw new Error(`redis-server on port ${port} did not answer PING`);
}

/** One inline PING over a raw socket: true on +PONG. */
function answersPing(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = createConnection({ host: '127.0.0.1', port });
    let reply = '';
    const finish = (ok: boolean): void => {
      socket.destroy();
      resolve(ok);
    };
    socket.setTimeout(1_000, () => finish(false));
    socket.once('error', () => finish(false));
    socket.once('connect', () => socket.write('PING\r\n'));
    socket.on('data', (chunk) => {
      reply += chunk.toString('latin1');
      if (reply.includes('\r\n')) finish(reply.startsWith('+PONG'));
    });
  });
}
