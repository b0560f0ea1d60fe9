// The coordinator benchmark's side of its coordinators: one SQLite node, or two nodes over a throw-away PostgreSQL
// and Redis, each a child process (bench/support/coordinator-launcher.ts) whose memory and CPU are read from /proc.
import { fork, type ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import type { LaunchSettings, LauncherMemory, LauncherReply } from './coordinator-ipc.js';
import type { LoopDelay } from './loop-delay.js';
import { cpuTime, residentBytes, type CpuTime } from './proc-stats.js';
import { startThrowawayServices, type ThrowawayServices } from './throwaway-services.js';
import { WorkerMailbox } from './worker-mailbox.js';

const LAUNCHER = new URL('./coordinator-launcher.js', import.meta.url);

export interface NodeLaunchOptions {
  readonly nodes: 1 | 2;
  readonly heartbeatIntervalMs: number;
  readonly enrollmentUses: number;
  /** Time SQLite statements per phase (written next to each phase's CPU profile). */
  readonly profile: boolean;
}

export class CoordinatorNode {
  private readonly mailbox: WorkerMailbox<LauncherReply>;
  private exited = false;

  constructor(
    readonly name: string,
    private readonly child: ChildProcess,
    readonly url: string,
  ) {
    this.mailbox = new WorkerMailbox<LauncherReply>(child);
    child.once('exit', () => (this.exited = true));
  }

  get pid(): number {
    return this.child.pid!;
  }

  residentBytes(): number {
    return residentBytes(this.pid);
  }

  cpuTime(): CpuTime {
    return cpuTime(this.pid);
  }

  /** The node's memory right after a full GC (RSS from the node itself, heap figures from V8). */
  async memoryAfterGc(): Promise<LauncherMemory> {
    this.child.send({ kind: 'memory' });
    const reply = await this.mailbox.next('memory');
    return (reply as Extract<LauncherReply, { kind: 'memory' }>).memory;
  }

  async heapSnapshot(file: string): Promise<string> {
    this.child.send({ kind: 'heap-snapshot', file });
    return ((await this.mailbox.next('heap-snapshot')) as Extract<LauncherReply, { kind: 'heap-snapshot' }>).file;
  }

  /** Starts a CPU profile (V8 inspector, in the node's own process). */
  async startProfile(): Promise<void> {
    this.child.send({ kind: 'profile-start' });
    await this.mailbox.next('profile-started');
  }

  /** Stops the CPU profile and writes it (.cpuprofile JSON) to `file`. */
  async stopProfile(file: string): Promise<void> {
    this.child.send({ kind: 'profile-stop', file });
    await this.mailbox.next('profile-stopped');
  }

  /** Starts a fresh event-loop delay histogram in the node's process. */
  async resetLoopDelay(): Promise<void> {
    this.child.send({ kind: 'loop-delay-reset' });
    await this.mailbox.next('loop-delay-reset');
  }

  /** The node's event-loop delay since the last reset. */
  async loopDelay(): Promise<LoopDelay> {
    this.child.send({ kind: 'loop-delay' });
    return ((await this.mailbox.next('loop-delay')) as Extract<LauncherReply, { kind: 'loop-delay' }>).delay;
  }

  async stop(): Promise<void> {
    if (this.exited) return;
    const exited = new Promise((resolve) => this.child.once('exit', resolve));
    this.child.send({ kind: 'stop' });
    const timer = setTimeout(() => this.child.kill('SIGKILL'), 60_000);
    await exited;
    clearTimeout(timer);
  }
}

export interface CoordinatorCluster {
  readonly nodes: readonly CoordinatorNode[];
  readonly apiKey: string;
  readonly enrollmentToken: string;
  stop(): Promise<void>;
}

async function launch(name: string, settings: LaunchSettings): Promise<{ node: CoordinatorNode; ready: Extract<LauncherReply, { kind: 'ready' }> }> {
  const child = fork(LAUNCHER, [], {
    execArgv: ['--expose-gc'],
    env: { ...process.env, BENCH_COORDINATOR_SETTINGS: JSON.stringify(settings) },
    stdio: ['ignore', 'inherit', 'inherit', 'ipc'],
  });
  const mailbox = new WorkerMailbox<LauncherReply>(child);
  const outcome = await Promise.race([
    mailbox.next('ready'),
    mailbox.next('failed'),
    new Promise<LauncherReply>((resolve) => child.once('exit', (code) => resolve({ kind: 'failed', error: `exited with code ${code}` }))),
  ]);
  if (outcome.kind !== 'ready') {
    child.kill('SIGKILL');
    throw new Error(`coordinator ${name} did not start: ${(outcome as { error: string }).error}`);
  }
  return { node: new CoordinatorNode(name, child, outcome.url), ready: outcome };
}

/**
 * Node 2 must accept node 1's API key: the two share one database only if the coordinator understood the
 * multi-node options. Without that support each node would silently run on its own SQLite file.
 */
async function requireSharedDatabase(second: CoordinatorNode, apiKey: string): Promise<void> {
  const response = await fetch(`${second.url}/api/stats`, { headers: { authorization: `Bearer ${apiKey}` } });
  if (response.status !== 200) {
    throw new Error(
      `--nodes 2 needs the coordinator's multi-node support (startCoordinator options databaseUrl, redisUrl, nodeId; ` +
        `serve --database-url/--redis-url/--node-id): node 2 answered ${response.status} to node 1's API key, so the ` +
        `nodes do not share the PostgreSQL database. Run with --nodes 1 until that support is merged.`,
    );
  }
}

export async function startCoordinators(options: NodeLaunchOptions): Promise<CoordinatorCluster> {
  const dataDirs: string[] = [];
  const nodes: CoordinatorNode[] = [];
  let services: ThrowawayServices | undefined;
  const stop = async () => {
    await Promise.all(nodes.map((node) => node.stop()));
    await services?.stop();
    for (const dir of dataDirs) rmSync(dir, { recursive: true, force: true });
  };
  try {
    if (options.nodes === 2) services = await startThrowawayServices();
    let apiKey = '';
    let enrollmentToken = '';
    for (let index = 1; index <= options.nodes; index++) {
      const dataDir = mkdtempSync(path.join(tmpdir(), `sparsefleet-bench-node${index}-`));
      dataDirs.push(dataDir);
      const settings: LaunchSettings = {
        dataDir,
        heartbeatIntervalMs: options.heartbeatIntervalMs,
        enrollmentUses: options.enrollmentUses,
        profile: options.profile,
        createsCredentials: index === 1,
        ...(services ? { cluster: { databaseUrl: services.databaseUrl, redisUrl: services.redisUrl, nodeId: `bench-node-${index}` } } : {}),
      };
      const { node, ready } = await launch(`node${index}`, settings);
      nodes.push(node);
      if (index === 1) {
        apiKey = ready.apiKey!;
        enrollmentToken = ready.enrollmentToken!;
      } else {
        await requireSharedDatabase(node, apiKey);
      }
    }
    return { nodes, apiKey, enrollmentToken, stop };
  } catch (error) {
    await stop();
    throw error;
  }
}
