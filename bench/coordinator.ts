// Coordinator load: how many protocol-level devices one coordinator process holds, at what memory per device, with
// what heartbeat round trip, how fast it hands out small jobs, and how long a reconnect storm takes.
// The coordinator runs as its own child process (bench/support/coordinator-launcher.ts), so its RSS and CPU time
// (/proc) are its own; the devices (socket.io-client + the protocol door, no agent) are spread over several child
// processes (bench/support/device-group-process.ts) so the load generator is not the bottleneck. Phases:
//   enroll   every device enrolls once (its credential stays in memory)
//   connect  every device connects with its credential, says Hello and heartbeats at the coordinator's interval
//   steady   a window of heartbeats from every device: round trip p50 / p99, RSS after connecting
//   jobs     M small jobs submitted over REST; devices accept at once and report a result: time until all done
//   storm    every device drops and reconnects at once: time until every one has its HelloResponse again
// With --nodes 2 it starts a throw-away PostgreSQL and redis-server and two coordinators sharing them, and spreads
// the devices over both (needs the coordinator's multi-node support; it says so if that is missing).
//   npm run build && npm run bench:coordinator -- [--quick] [--json FILE] [--devices N] [--nodes 1|2]
//                                                 [--groups G] [--jobs M] [--heartbeat-ms MS] [--profile DIR]
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { loadavg } from 'node:os';
import path from 'node:path';
import { performance } from 'node:perf_hooks';
import { Command, InvalidArgumentError } from 'commander';
import { listenOverflows, type CpuTime } from './support/proc-stats.js';
import { startCoordinators, type CoordinatorCluster, type CoordinatorNode } from './support/coordinator-nodes.js';
import { DeviceGroupProcess, splitFleet } from './support/device-group.js';
import { describeLoopDelay } from './support/loop-delay.js';
import { percentile } from './support/percentile.js';
import { summarizeCpuProfile, summarizeHeapGrowth, summarizeHeapSnapshot } from './support/profile-summary.js';

/** Targets of issue 14 on this machine. */
const TARGETS = {
  devicesPerNode: 10_000,
  rssPerDeviceKb: 30,
  heartbeatP99Ms: 100,
  stormSeconds: 30,
  stormDevices: 10_000,
  twoNodeFactor: 2,
};

const SMALL_JOB = { config: { model: 'mlp', data: { name: 'synthetic', trainLimit: 64 }, epochs: 1, maxSteps: 1 } };

interface Flags {
  quick: boolean;
  json?: string;
  devices?: number;
  nodes: 1 | 2;
  groups: number;
  jobs?: number;
  heartbeatMs: number;
  profile?: string;
  heapSnapshots: boolean;
}

/** One row of the table; the JSON file holds the same records. */
interface BenchRecord {
  row: string;
  node: string;
  value: number | null;
  unit: string;
  target: string;
  within_target: boolean | null;
  detail: string;
}

const now = () => performance.timeOrigin + performance.now();
const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));
const round = (value: number, digits = 1) => Math.round(value * 10 ** digits) / 10 ** digits;
const MB = 1024 * 1024;

function positiveInteger(name: string) {
  return (value: string) => {
    const parsed = Number(value);
    if (!Number.isInteger(parsed) || parsed < 1) throw new InvalidArgumentError(`--${name} must be a positive integer`);
    return parsed;
  };
}

function parseFlags(): Flags {
  const program = new Command('bench:coordinator')
    .option('--quick', 'a short run (1,000 devices per node, 10 s window, 200 jobs)', false)
    .option('--json <file>', 'also write { meta, records } to this file')
    .option('--devices <n>', 'devices in all (default 10,000 per node; 1,000 per node with --quick)', positiveInteger('devices'))
    .option('--nodes <n>', 'coordinator nodes: 1 (SQLite) or 2 (PostgreSQL + Redis)', (value) => {
      if (value !== '1' && value !== '2') throw new InvalidArgumentError('--nodes must be 1 or 2');
      return Number(value) as 1 | 2;
    }, 1)
    .option('--groups <n>', 'device processes', positiveInteger('groups'), 4)
    .option('--jobs <n>', 'jobs of the assignment phase (default 1,000; 200 with --quick)', positiveInteger('jobs'))
    .option('--heartbeat-ms <ms>', 'heartbeat interval the coordinator asks for', positiveInteger('heartbeat-ms'), 5000)
    .option('--profile <dir>', 'write CPU profiles of each coordinator per phase and a heap snapshot at steady state, and summarise them (the profiler adds CPU time: measure without it)')
    .option('--heap-snapshots', 'with --profile: heap snapshots at idle and steady state too (they hold the coordinator for seconds)', false)
    .parse();
  return program.opts<Flags>();
}

/** CPU time each node spent between marks. */
class CpuLedger {
  private readonly last: Map<CoordinatorNode, CpuTime>;
  readonly phases: Array<{ phase: string; wallMs: number; cpu: Map<CoordinatorNode, CpuTime> }> = [];
  private startedAt = now();

  constructor(private readonly nodes: readonly CoordinatorNode[]) {
    this.last = new Map(nodes.map((node) => [node, node.cpuTime()]));
  }

  mark(phase: string): void {
    const cpu = new Map<CoordinatorNode, CpuTime>();
    for (const node of this.nodes) {
      const total = node.cpuTime();
      const last = this.last.get(node)!;
      cpu.set(node, { userMs: total.userMs - last.userMs, systemMs: total.systemMs - last.systemMs });
      this.last.set(node, total);
    }
    const at = now();
    this.phases.push({ phase, wallMs: at - this.startedAt, cpu });
    this.startedAt = at;
  }

  /** Skips the time since the last mark (e.g. waiting between phases). */
  restart(): void {
    for (const node of this.nodes) this.last.set(node, node.cpuTime());
    this.startedAt = now();
  }
}

/** The coordinator's own count of devices by state, e.g. "online 9998, busy 2, offline 0". */
async function deviceStates(cluster: CoordinatorCluster): Promise<string> {
  const response = await fetch(`${cluster.nodes[0]!.url}/api/stats`, { headers: { authorization: `Bearer ${cluster.apiKey}` } });
  const stats = (await response.json()) as { devices: Record<string, number> };
  return Object.entries(stats.devices).filter(([, count]) => count > 0).map(([state, count]) => `${state} ${count}`).join(', ') || 'none';
}

async function succeededJobs(cluster: CoordinatorCluster): Promise<number> {
  const response = await fetch(`${cluster.nodes[0]!.url}/api/stats`, { headers: { authorization: `Bearer ${cluster.apiKey}` } });
  return ((await response.json()) as { jobs: Record<string, number> }).jobs.succeeded ?? 0;
}

async function submitJobs(cluster: CoordinatorCluster, count: number, concurrency: number): Promise<void> {
  let next = 0;
  const lanes = Array.from({ length: concurrency }, async () => {
    while (next < count) {
      const index = next++;
      const node = cluster.nodes[index % cluster.nodes.length]!;
      const response = await fetch(`${node.url}/api/jobs`, {
        method: 'POST',
        headers: { authorization: `Bearer ${cluster.apiKey}`, 'content-type': 'application/json' },
        body: JSON.stringify({ ...SMALL_JOB, name: `bench-${index}` }),
      });
      if (response.status !== 201) throw new Error(`POST /api/jobs answered ${response.status}: ${await response.text()}`);
    }
  });
  await Promise.all(lanes);
}

function sum(values: number[]): number {
  return values.reduce((total, value) => total + value, 0);
}

function verdict(within: boolean | null): string {
  return within === null ? '–' : within ? 'within' : '**MISSED**';
}

async function main(): Promise<void> {
  const flags = parseFlags();
  const devices = flags.devices ?? (flags.quick ? 1000 : TARGETS.devicesPerNode) * flags.nodes;
  const jobs = flags.jobs ?? (flags.quick ? 200 : 1000);
  const windowMs = flags.quick ? 10_000 : 30_000;
  const groups = Math.min(flags.groups, devices);
  const meta = {
    node: process.version, quick: flags.quick, nodes: flags.nodes, devices, groups, jobs, heartbeat_ms: flags.heartbeatMs,
    window_ms: windowMs, loadavg_start: loadavg().map((v) => round(v, 2)), date: new Date().toISOString(),
  };
  process.stdout.write(`# coordinator (${JSON.stringify(meta)})\n`);
  if (flags.profile) mkdirSync(flags.profile, { recursive: true });

  const cluster = await startCoordinators({
    nodes: flags.nodes,
    heartbeatIntervalMs: flags.heartbeatMs,
    enrollmentUses: devices,
    profile: flags.profile !== undefined,
  });
  // Ctrl-C or a timeout: stop the coordinators and their PostgreSQL / Redis, remove the data dirs (the device
  // processes exit when their IPC channel closes).
  for (const signal of ['SIGINT', 'SIGTERM'] as const) {
    process.once(signal, () => {
      process.stderr.write(`# ${signal}: stopping the coordinators\n`);
      void cluster.stop().finally(() => process.exit(130));
    });
  }
  const urls = cluster.nodes.map((node) => node.url);
  const fleet = splitFleet(devices, groups, urls).map((setup) => new DeviceGroupProcess(setup));
  const ask = <K extends Parameters<DeviceGroupProcess['ask']>[1]>(command: Parameters<DeviceGroupProcess['ask']>[0], kind: K) =>
    Promise.all(fleet.map((group) => group.ask(command, kind)));
  const records: BenchRecord[] = [];
  const cpu = new CpuLedger(cluster.nodes);
  const log = (line: string) => process.stdout.write(`# ${line}\n`);
  const profiledPhases: string[] = [];
  const phaseStart = async () => {
    if (flags.profile) await Promise.all(cluster.nodes.map((node) => node.startProfile()));
    cpu.restart();
  };
  const phaseEnd = async (phase: string) => {
    cpu.mark(phase);
    if (!flags.profile) return;
    await Promise.all(cluster.nodes.map((node) => node.stopProfile(path.resolve(flags.profile!, `${node.name}-${phase}.cpuprofile`))));
    profiledPhases.push(phase);
  };
  try {
    // ---- enroll ----
    await phaseStart();
    const enrolled = await ask({ kind: 'enroll', enrollmentToken: cluster.enrollmentToken, concurrency: 25 }, 'enrolled');
    await phaseEnd('enroll');
    const enrollFailed = sum(enrolled.map((reply) => reply.failures.failed));
    log(`enrolled ${devices - enrollFailed}/${devices} in ${round(cpu.phases.at(-1)!.wallMs / 1000)} s${enrollFailed ? ` (first error: ${enrolled.find((r) => r.failures.firstError)?.failures.firstError})` : ''}`);
    await sleep(1000);
    const before = new Map<CoordinatorNode, { rss: number; heapUsed: number }>();
    for (const node of cluster.nodes) {
      const memory = await node.memoryAfterGc();
      before.set(node, { rss: node.residentBytes(), heapUsed: memory.heapUsed });
      if (flags.profile && flags.heapSnapshots) await node.heapSnapshot(path.resolve(flags.profile, `${node.name}-idle.heapsnapshot`));
    }
    await phaseStart();

    // ---- connect ----
    const connected = await ask({ kind: 'connect', concurrency: 50 }, 'connected');
    await phaseEnd('connect');
    const heldAfterConnect = sum(connected.map((reply) => reply.held));
    const connectFailed = connected.find((reply) => reply.failures.firstError)?.failures.firstError;
    const heartbeatIntervalMs = connected[0]!.heartbeatIntervalMs;
    log(`connected ${heldAfterConnect}/${devices} in ${round(cpu.phases.at(-1)!.wallMs / 1000)} s${connectFailed ? ` (first error: ${connectFailed})` : ''}`);

    // ---- steady heartbeats ----
    await sleep(heartbeatIntervalMs + 1000); // every device has started beating
    await phaseStart();
    await Promise.all(cluster.nodes.map((node) => node.resetLoopDelay()));
    await ask({ kind: 'window-start' }, 'window-started');
    await sleep(windowMs);
    const windows = await ask({ kind: 'window-end' }, 'window');
    const nodeLoopDelays = await Promise.all(cluster.nodes.map((node) => node.loopDelay()));
    await phaseEnd('steady');
    // Counted before the memory figures: a heap snapshot holds the coordinator's loop for seconds.
    const held = sum((await ask({ kind: 'held' }, 'held')).map((reply) => reply.held));
    const serverStates = await deviceStates(cluster);
    const after = new Map<CoordinatorNode, { rss: number; heapUsed: number }>();
    for (const node of cluster.nodes) {
      const memory = await node.memoryAfterGc();
      after.set(node, { rss: node.residentBytes(), heapUsed: memory.heapUsed });
    }
    if (flags.profile && flags.heapSnapshots) {
      for (const node of cluster.nodes) {
        const file = await node.heapSnapshot(path.resolve(flags.profile, `${node.name}-steady.heapsnapshot`));
        log(`heap snapshot of ${node.name}: ${file}`);
      }
    }
    const rtts = windows.flatMap((reply) => reply.rtts).sort((a, b) => a - b);
    const sent = sum(windows.map((reply) => reply.sent));
    const missed = sum(windows.map((reply) => reply.missed));
    const refused = sum(windows.map((reply) => reply.refused));

    // ---- jobs ----
    await phaseStart();
    const jobsStart = now();
    await submitJobs(cluster, jobs, 8);
    const submittedMs = now() - jobsStart;
    let done = 0;
    let jobRefused = 0;
    let jobError: string | undefined;
    const jobDeadline = jobsStart + 300_000;
    while (now() < jobDeadline) {
      const counts = await ask({ kind: 'job-count' }, 'job-count');
      done = sum(counts.map((reply) => reply.done));
      jobRefused = sum(counts.map((reply) => reply.refused));
      jobError ??= counts.find((reply) => reply.firstError)?.firstError;
      if (done + jobRefused >= jobs) break;
      await sleep(50);
    }
    const jobsMs = now() - jobsStart;
    await phaseEnd('jobs');
    const succeeded = await succeededJobs(cluster);

    // ---- reconnect storm ----
    await sleep(1000);
    await phaseStart();
    const overflowsBefore = listenOverflows();
    const storms = await ask({ kind: 'storm', deadlineMs: 120_000 }, 'storm');
    await phaseEnd('storm');
    const overflowsAfter = listenOverflows();
    const stormOverflows = overflowsBefore === undefined || overflowsAfter === undefined ? '–' : String(overflowsAfter - overflowsBefore);
    const stormMs = Math.max(...storms.map((reply) => reply.lastHelloAt)) - Math.min(...storms.map((reply) => reply.startedAt));
    const reconnected = sum(storms.map((reply) => reply.reconnected));
    const stormRetries = sum(storms.map((reply) => reply.retries.failed));
    const stormWaits = sum(storms.map((reply) => reply.toldToWait));
    const retryError = storms.find((reply) => reply.retries.firstError)?.retries.firstError;
    const stormError = storms.find((reply) => reply.failures.firstError)?.failures.firstError;
    await sleep(1000);
    const statesAfterStorm = await deviceStates(cluster);

    // ---- rows ----
    const perNode = devices / cluster.nodes.length;
    const p50 = percentile(rtts, 50);
    const p99 = percentile(rtts, 99);
    const heldTarget = TARGETS.devicesPerNode * (flags.nodes === 1 ? 1 : TARGETS.twoNodeFactor);
    const interval = `heartbeats every ${heartbeatIntervalMs / 1000} s`;
    records.push({
      row: 'devices held',
      node: 'all',
      value: held,
      unit: 'devices',
      target: flags.nodes === 1 ? `>= ${TARGETS.devicesPerNode} on one process` : `about ${TARGETS.twoNodeFactor}x one node (${TARGETS.twoNodeFactor * TARGETS.devicesPerNode})`,
      within_target: devices >= heldTarget ? held >= heldTarget : null,
      detail: `${held}/${devices} connected at the end of the window, ${interval}; coordinator counts ${serverStates}`,
    });
    for (const node of cluster.nodes) {
      const rssDelta = after.get(node)!.rss - before.get(node)!.rss;
      const heapDelta = after.get(node)!.heapUsed - before.get(node)!.heapUsed;
      const perDeviceKb = rssDelta / perNode / 1024;
      records.push({
        row: 'coordinator RSS per device',
        node: node.name,
        value: round(perDeviceKb),
        unit: 'KB',
        target: `<= ${TARGETS.rssPerDeviceKb} KB`,
        within_target: perDeviceKb <= TARGETS.rssPerDeviceKb,
        detail: `RSS ${round(before.get(node)!.rss / MB)} -> ${round(after.get(node)!.rss / MB)} MB for ${perNode} devices (V8 heap +${round(heapDelta / perNode / 1024)} KB/device)`,
      });
    }
    records.push({
      row: 'heartbeat round trip p50',
      node: 'all',
      value: p50 === null ? null : round(p50, 2),
      unit: 'ms',
      target: '–',
      within_target: null,
      detail: `${rtts.length} heartbeats over ${windowMs / 1000} s`,
    });
    records.push({
      row: 'heartbeat round trip p99',
      node: 'all',
      value: p99 === null ? null : round(p99, 2),
      unit: 'ms',
      target: `<= ${TARGETS.heartbeatP99Ms} ms`,
      within_target: p99 !== null && p99 <= TARGETS.heartbeatP99Ms && missed === 0,
      detail: `max ${rtts.length ? round(rtts.at(-1)!) : '–'} ms; ${sent} sent, ${missed} unanswered in 10 s, ${refused} refused; event-loop delay in the window: ${cluster.nodes.map((node, i) => `${node.name} ${describeLoopDelay(nodeLoopDelays[i]!)}`).join(', ')}; device groups p99 ${windows.map((w) => w.loopDelay.p99).join(' / ')}, max ${windows.map((w) => w.loopDelay.max).join(' / ')} ms`,
    });
    records.push({
      row: 'assignments per second',
      node: 'all',
      value: round((done / jobsMs) * 1000),
      unit: 'jobs/s',
      target: '–',
      within_target: null,
      detail: `${done}/${jobs} jobs done in ${round(jobsMs / 1000, 2)} s (all submitted after ${round(submittedMs / 1000, 2)} s, 8 requests in flight); coordinator counts ${succeeded} succeeded${jobRefused ? `; ${jobRefused} results refused (${jobError})` : ''}`,
    });
    const stormTargetApplies = devices >= TARGETS.stormDevices;
    records.push({
      row: 'reconnect storm',
      node: 'all',
      value: round(stormMs / 1000, 2),
      unit: 's',
      target: `<= ${TARGETS.stormSeconds} s for ${TARGETS.stormDevices} devices`,
      within_target: stormTargetApplies ? stormMs <= TARGETS.stormSeconds * 1000 && reconnected === devices : null,
      detail: `${reconnected}/${devices} have their HelloResponse again, ${stormRetries} handshake retries${retryError ? ` (first: ${retryError})` : ''}, ${stormWaits} told to retry later (coordinator busy)${stormError ? ` (first error: ${stormError})` : ''}; ${stormOverflows} connections dropped by a full accept queue (machine-wide); coordinator counts ${statesAfterStorm} 1 s later`,
    });
    for (const phase of cpu.phases) {
      for (const node of cluster.nodes) {
        const { userMs, systemMs } = phase.cpu.get(node)!;
        records.push({
          row: `CPU ${phase.phase}`,
          node: node.name,
          value: round((userMs + systemMs) / 1000, 2),
          unit: 'CPU s',
          target: '–',
          within_target: null,
          detail: `${round(phase.wallMs / 1000, 1)} s wall, ${round(((userMs + systemMs) / phase.wallMs) * 100)} % of one core (user ${round(userMs / 1000, 2)} s, system ${round(systemMs / 1000, 2)} s)`,
        });
      }
    }
  } finally {
    await Promise.all(fleet.map((group) => group.stop()));
    await cluster.stop();
  }

  process.stdout.write('| row | node | figure | target | verdict | detail |\n| --- | --- | --- | --- | --- | --- |\n');
  for (const r of records) {
    process.stdout.write(`| ${r.row} | ${r.node} | ${r.value ?? '–'} ${r.unit} | ${r.target} | ${verdict(r.within_target)} | ${r.detail} |\n`);
  }
  const loadEnd = loadavg().map((v) => round(v, 2));
  process.stdout.write(`# loadavg at end: ${loadEnd.join(' ')}\n`);
  if (flags.profile) {
    for (const node of cluster.nodes) {
      for (const phase of profiledPhases) {
        const summary = summarizeCpuProfile(path.resolve(flags.profile, `${node.name}-${phase}.cpuprofile`), 15);
        process.stdout.write(`\n## ${node.name}, ${phase}: CPU profile, top self time\n${summary}\n`);
        const sql = readFileSync(path.resolve(flags.profile, `${node.name}-${phase}.sql.md`), 'utf8');
        process.stdout.write(`\n## ${node.name}, ${phase}: SQLite statements (prepare + run time)\n${sql}`);
      }
      if (!flags.heapSnapshots) continue;
      const idle = path.resolve(flags.profile, `${node.name}-idle.heapsnapshot`);
      const steady = path.resolve(flags.profile, `${node.name}-steady.heapsnapshot`);
      process.stdout.write(`\n## ${node.name}: heap at steady state, by self size\n${summarizeHeapSnapshot(steady, 15)}\n`);
      process.stdout.write(`\n## ${node.name}: heap growth per connected device (steady minus idle)\n${summarizeHeapGrowth(idle, steady, devices / cluster.nodes.length, 20)}\n`);
    }
  }
  if (flags.json) {
    writeFileSync(flags.json, `${JSON.stringify({ meta: { ...meta, loadavg_end: loadEnd, targets: TARGETS }, records }, null, 2)}\n`);
    process.stdout.write(`# wrote ${flags.json}\n`);
  }
}

main().catch((error: unknown) => {
  const cause = error instanceof Error && error.cause ? ` (${String(error.cause)})` : '';
  console.error(error instanceof Error ? `${error.message}${cause}` : error);
  process.exit(1);
});
