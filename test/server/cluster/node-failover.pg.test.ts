// The multi-node fault test (issue 14): two coordinator processes share one PostgreSQL database and one Redis,
// protocol-level devices are spread over both, and a job matrix is running when the leading node is killed with
// SIGKILL. Its devices reconnect to the other node; every job completes exactly once; every report a device had
// acknowledged is stored; the leader role moves to the survivor. Runs in the `postgres` test project only.
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createApiKey } from '../../../server/src/bootstrap/index.js';
import { startRedisServer, type TestRedisServer } from '../../../testkit/redis-server.js';
import { createTestDatabase, type TestDatabase } from '../../support/test-database.js';
import { FailoverDevice } from '../../e2e/support/failover-device.js';

const CLI = fileURLToPath(new URL('../../../bin/sparsefleet.js', import.meta.url));
const JOBS = 12;
const DEVICES = 6;
/** Each job: 25 progress reports 120 ms apart, then its result (about 3 s of "training"). */
const REPORTS = { count: 25, everyMs: 120 };

interface NodeProcess {
  readonly nodeId: string;
  readonly url: string;
  readonly child: ChildProcess;
}

interface Health {
  readonly info: { readonly node: { readonly nodeId: string; readonly leader: boolean } };
}

describe('two coordinator nodes, one killed mid-run', () => {
  let redis: TestRedisServer;
  let database: TestDatabase;
  let dataDir: string;
  const nodes: NodeProcess[] = [];
  const devices: FailoverDevice[] = [];

  beforeAll(async () => {
    redis = await startRedisServer();
    database = await createTestDatabase();
    dataDir = mkdtempSync(join(tmpdir(), 'sparsefleet-failover-'));
  });

  afterAll(async () => {
    for (const device of devices) device.close();
    await Promise.all(nodes.map((node) => stopNode(node)));
    await database?.drop();
    await redis?.stop();
    rmSync(dataDir, { recursive: true, force: true });
  });

  it('keeps every job exactly once and every acknowledged report when the leader is killed', async () => {
    // Prepare: two nodes (the first one migrates the database), an operator key, devices spread over both.
    nodes.push(await startNode('node-a', database.databaseUrl!, redis.url, join(dataDir, 'a')));
    nodes.push(await startNode('node-b', database.databaseUrl!, redis.url, join(dataDir, 'b')));
    const { key } = await createApiKey({ dataDir, databaseUrl: database.databaseUrl, name: 'failover-test' });
    const rest = restClient(key);
    const token = (await rest<{ token: string }>(nodes[0]!.url, 'POST', '/api/enrollment-tokens', { maxUses: DEVICES })).token;
    const urls = nodes.map((node) => node.url);
    for (let i = 0; i < DEVICES; i++) devices.push(await FailoverDevice.enroll(urls, i % 2, token, REPORTS));
    const leaderBefore = await until(async () => (await leaderAmong(nodes)) ?? false, 20_000);

    // Execute: a job matrix; once jobs run on both nodes, SIGKILL the leader.
    const jobIds: string[] = [];
    for (let i = 0; i < JOBS; i++) {
      const spec = { name: `failover-${i}`, config: { model: 'mlp', data: { name: 'synthetic', trainLimit: 64 }, maxSteps: 2 } };
      jobIds.push((await rest<{ id: string }>(nodes[i % 2]!.url, 'POST', '/api/jobs', spec)).id);
    }
    const onLeader = devices.filter((device) => device.nodeUrl === leaderBefore.url);
    const onOther = devices.filter((device) => device.nodeUrl !== leaderBefore.url);
    await until(async () => [onLeader, onOther].every((group) => group.some((device) => device.acknowledged.length >= 3)), 30_000);
    leaderBefore.child.kill('SIGKILL');
    const survivor = nodes.find((node) => node !== leaderBefore)!;

    // Assert: the survivor leads, the killed node's devices came over, every job ended once, no ack was lost.
    await until(async () => (await health(survivor.url)).info.node.leader, 30_000);
    await until(async () => onLeader.every((device) => device.nodeUrl === survivor.url && device.connections.length >= 2), 30_000);
    const finished = await until(async () => {
      const jobs = await Promise.all(jobIds.map((id) => rest<{ state: string; attempt: number }>(survivor.url, 'GET', `/api/jobs/${id}`)));
      return jobs.every((job) => ['succeeded', 'failed', 'cancelled'].includes(job.state)) ? jobs : false;
    }, 90_000);
    expect(finished.map((job) => job.state)).toEqual(jobIds.map(() => 'succeeded'));
    for (const jobId of jobIds) {
      const results = devices.flatMap((device) => device.results.filter((result) => result.jobId === jobId));
      // One acknowledged result per job, whatever attempt produced it, and the stored one is that one.
      expect(results, `results of job ${jobId}`).toHaveLength(1);
      const stored = await rest<{ attempt: number; sequence: number }>(survivor.url, 'GET', `/api/jobs/${jobId}/result`);
      expect({ attempt: stored.attempt, sequence: stored.sequence }).toEqual({ attempt: results[0]!.attempt, sequence: results[0]!.sequence });
      const progress = await rest<Array<{ attempt: number; sequence: number }>>(survivor.url, 'GET', `/api/jobs/${jobId}/progress`);
      const storedKeys = new Set(progress.map((report) => `${report.attempt}#${report.sequence}`));
      const acknowledged = devices.flatMap((device) => device.acknowledged.filter((report) => report.jobId === jobId));
      const lost = acknowledged.filter((report) => !storedKeys.has(`${report.attempt}#${report.sequence}`));
      expect(lost, `acknowledged progress of job ${jobId} missing from the store`).toEqual([]);
    }
    expect(devices.reduce((sum, device) => sum + device.acknowledged.length, 0)).toBeGreaterThanOrEqual(JOBS * REPORTS.count);
  });
});

async function startNode(nodeId: string, databaseUrl: string, redisUrl: string, dataDir: string): Promise<NodeProcess> {
  const args = [CLI, 'serve', '--port', '0', '--data-dir', dataDir, '--database-url', databaseUrl, '--redis-url', redisUrl];
  args.push('--node-id', nodeId, '--heartbeat-ms', '1000', '--log-level', 'warn');
  const child = spawn(process.execPath, args, { stdio: ['ignore', 'pipe', 'pipe'] });
  let output = '';
  const url = await new Promise<string>((resolve, reject) => {
    const onData = (chunk: Buffer) => {
      output += chunk.toString();
      const match = /listening on (http:\/\/\S+)/.exec(output);
      if (match) resolve(match[1]!);
    };
    child.stdout!.on('data', onData);
    child.stderr!.on('data', (chunk: Buffer) => (output += chunk.toString()));
    child.once('exit', (code) => reject(new Error(`node ${nodeId} exited (${code}) before listening:\n${output}`)));
  });
  return { nodeId, url, child };
}

async function stopNode(node: NodeProcess): Promise<void> {
  if (node.child.exitCode !== null || node.child.signalCode !== null) return;
  const exited = new Promise((resolve) => node.child.once('exit', resolve));
  node.child.kill('SIGTERM');
  await exited;
}

/** Polls `probe` until it returns a value other than false/undefined; fails after `timeoutMs`. */
async function until<T>(probe: () => Promise<T | false | undefined>, timeoutMs: number): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await probe().catch(() => undefined);
    if (value !== undefined && value !== false) return value;
    if (Date.now() > deadline) throw new Error(`condition not reached within ${timeoutMs} ms`);
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
}

async function health(url: string): Promise<Health> {
  return (await fetch(`${url}/healthz`)).json() as Promise<Health>;
}

async function leaderAmong(nodes: readonly NodeProcess[]): Promise<NodeProcess | undefined> {
  for (const node of nodes) if ((await health(node.url)).info.node.leader) return node;
  return undefined;
}

function restClient(apiKey: string) {
  return async <T>(baseUrl: string, method: string, route: string, body?: unknown): Promise<T> => {
    const response = await fetch(`${baseUrl}${route}`, {
      method,
      headers: { authorization: `Bearer ${apiKey}`, ...(body === undefined ? {} : { 'content-type': 'application/json' }) },
      body: body === undefined ? undefined : JSON.stringify(body),
    });
    if (!response.ok) throw new Error(`${method} ${route}: ${response.status} ${await response.text()}`);
    return (await response.json()) as T;
  };
}
