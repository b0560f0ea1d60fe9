// Request stall: how long one operator request holds the coordinator's event loop, seen from a device. Starts a
// coordinator in-process (loopback, throwaway data dir), connects one protocol-level device in a worker thread
// that sends a Heartbeat every 25 ms (not waiting for acks, so a stalled server shows up as long round trips),
// then runs phases one after the other:
//   idle              nothing but heartbeats (the baseline)
//   kernel-5000       POST /api/campaigns: a kernel campaign at the 5,000-job cap (placement every, one device)
//   training-5000     POST /api/campaigns: a training-step campaign at the cap (each cell's TrainConfig validated)
//   after-campaigns   the seconds after those requests (assignment and the campaign sweep over 10,000 queued jobs)
//   refused-300000    POST /api/campaigns: a 3 KB matrix of 300,000 cells (refused with 400)
//   refused-yaml      POST /api/campaigns { yaml }: the same matrix as YAML (refused with 400)
// Each row gives the heartbeat round trip (p50 / p99 / max over the heartbeats in flight during the phase), the
// heartbeats that got no ack within 30 s, and the coordinator's event-loop delay (perf_hooks histogram: its max
// is the longest block). Diagnostics say whose block it was: the longest assignment run (the queue matched
// against the devices; it runs after every campaign start), the longest block less the assignment runs inside it
// (what the request itself held), and the longest GC pause.
//   npm run build && node dist/bench/request-stall.js [--quick] [--json FILE]
import { writeFileSync, mkdtempSync, rmSync } from 'node:fs';
import { loadavg, tmpdir } from 'node:os';
import path from 'node:path';
import { PerformanceObserver, monitorEventLoopDelay, performance } from 'node:perf_hooks';
import { Worker, isMainThread, parentPort, workerData } from 'node:worker_threads';
import { io, type Socket } from 'socket.io-client';
import { DEVICE_CHANNEL_EVENT, decodeFrame, encodeMessage, type MessageOf } from '../protocol/src/index.js';
import { startCoordinator } from '../server/src/coordinator.js';
import { AssignmentService } from '../server/src/assignment/assignment.service.js';
import { hugeCampaign, hugeCampaignYaml, kernelCampaignAtCap, range } from './support/oversized-campaigns.js';
import { percentile } from './support/percentile.js';
import { WorkerMailbox, serveHeartbeatSamples } from './support/worker-mailbox.js';

interface StallRecord {
  phase: string;
  /** HTTP status of the phase's request (null for phases without one). */
  status: number | null;
  /** Wall time of the request (or of the phase when it has none). */
  request_ms: number;
  /** Heartbeats in flight at some point during the phase. */
  heartbeats: number;
  rtt_p50_ms: number | null;
  rtt_p99_ms: number | null;
  rtt_max_ms: number | null;
  /** Heartbeats sent during the phase that got no ack within 30 s. */
  missed: number;
  /** Longest event-loop block of the coordinator's thread during the phase (monitorEventLoopDelay max). */
  loop_delay_max_ms: number;
  loop_delay_p99_ms: number;
  /** Longest block (1 ms interval probe) less the assignment runs inside it: the request's own share. */
  other_block_max_ms: number;
  /** Longest assignment run (AssignmentService, timed by wrapping it) that started during the phase; null if none. */
  assignment_max_ms: number | null;
  /** Longest garbage-collection pause during the phase (PerformanceObserver 'gc'); null if none. */
  gc_max_ms: number | null;
  error?: string;
}

interface DeviceSetup {
  readonly url: string;
  readonly enrollmentToken: string;
  readonly periodMs: number;
}

/** One heartbeat: absolute send and ack times (performance.timeOrigin + now, comparable across threads). */
type Sample = [sentAt: number, ackedAt: number | null];

const ACK_TIMEOUT_MS = 30_000;
const now = () => performance.timeOrigin + performance.now();
const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

// ---- device (worker thread) ----

async function runDevice(setup: DeviceSetup): Promise<void> {
  const port = parentPort!;
  let counter = 0;
  const frame = <N extends Parameters<typeof encodeMessage>[0]>(type: N, message: MessageOf<N>) =>
    encodeMessage(type, message, { senderVersion: 'bench', requestId: `bench-${++counter}` });
  const connect = (auth: Record<string, unknown>) =>
    new Promise<Socket>((resolve, reject) => {
      const socket = io(setup.url, { transports: ['websocket'], forceNew: true, reconnection: false, auth });
      socket.once('connect', () => resolve(socket));
      socket.once('connect_error', reject);
    });
  const call = async (socket: Socket, bytes: Uint8Array) =>
    decodeFrame(await socket.timeout(ACK_TIMEOUT_MS).emitWithAck(DEVICE_CHANNEL_EVENT, bytes));
  const facts = {
    platform: 'linux', arch: 'x64', cpuModel: 'bench cpu', cores: 2, memoryBytes: 4 * 1024 ** 3,
    backendsAvailable: ['wasm', 'cpu'], wasmSimd: true, wasmThreads: false, deviceModel: 'bench-box',
    agentVersion: 'bench', chosenBackend: 'wasm', runtime: 'node', labels: {},
  };
  const enrolling = await connect({ enrollmentToken: setup.enrollmentToken });
  const enrolled = await call(enrolling, frame('sparsefleet.v1.EnrollRequest', { facts, displayName: 'bench-device' }));
  enrolling.close();
  const { deviceId, credential } = enrolled.message as MessageOf<'sparsefleet.v1.EnrollResponse'>;
  const socket = await connect({ deviceId, credential });
  const running: string[] = [];
  // Assignments are accepted and then kept (the device "runs" them silently; heartbeats name them).
  socket.on(DEVICE_CHANNEL_EVENT, (bytes: unknown, ack?: (reply: Uint8Array) => void) => {
    const decoded = decodeFrame(bytes);
    const options = { senderVersion: 'bench', requestId: decoded.requestId };
    if (decoded.type === 'sparsefleet.v1.JobAssignment') {
      const assignment = decoded.message as MessageOf<'sparsefleet.v1.JobAssignment'>;
      running.splice(0, running.length, assignment.jobId);
      ack?.(encodeMessage('sparsefleet.v1.JobAccepted', { jobId: assignment.jobId, attempt: assignment.attempt, accepted: true, reason: '' }, options));
    } else {
      ack?.(encodeMessage('sparsefleet.v1.Ack', { ok: true }, options));
    }
  });
  await call(socket, frame('sparsefleet.v1.HelloRequest', { facts, runningJobIds: [] }));
  const samples: Sample[] = [];
  const timer = setInterval(() => {
    const sample: Sample = [now(), null];
    samples.push(sample);
    call(socket, frame('sparsefleet.v1.Heartbeat', { sentAtMs: Date.now(), telemetry: undefined, runningJobIds: [...running] })).then(
      () => (sample[1] = now()),
      () => undefined,
    );
  }, setup.periodMs);
  port.postMessage({ kind: 'ready', deviceId });
  serveHeartbeatSamples(port, samples, () => {
    clearInterval(timer);
    socket.close();
  });
}

// ---- coordinator side (main thread) ----

const round = (value: number | null) => (value === null ? null : Math.round(value * 10) / 10);

/** 1 op × 10 shapes × 5 schemes × 100 densities = 5,000 cells; one device → 5,000 jobs. */
const KERNEL_AT_CAP = kernelCampaignAtCap('stall kernel 5000');

/** 4 methods × 25 densities × 50 batch sizes = 5,000 training-step cells, each TrainConfig validated. */
const TRAINING_AT_CAP = {
  name: 'stall training 5000',
  measure: 'training-step',
  matrix: {
    model: 'mlp',
    method: ['static', 'set', 'rigl', 'itop'],
    density: range(25, (i) => Math.round((i + 1) * 0.03 * 1000) / 1000),
    batchSize: range(50, (i) => 8 + i),
  },
  base: { data: { name: 'synthetic', trainLimit: 64 } },
  runRules: { warmupIterations: 1, minIterations: 5, minDurationMs: 10 },
};

/** 3 ops × 100 shapes × 5 schemes × 200 densities = 300,000 cells in about 3 KB of JSON. */
const HUGE = hugeCampaign('stall huge');
const hugeYaml = () => hugeCampaignYaml(HUGE);

async function main(): Promise<void> {
  if (!isMainThread) return runDevice(workerData as DeviceSetup);
  const args = process.argv.slice(2);
  const quick = args.includes('--quick');
  const jsonIndex = args.indexOf('--json');
  const jsonFile = jsonIndex >= 0 ? args[jsonIndex + 1] : undefined;
  if (jsonIndex >= 0 && !jsonFile) throw new Error('--json needs a file name');
  // 40 heartbeats a second: a 25 ms resolution, and under the device channel's frame rate limit (60 a second).
  const plan = quick ? { idleMs: 3000, afterMs: 3000, periodMs: 25 } : { idleMs: 10_000, afterMs: 10_000, periodMs: 25 };

  const dataDir = mkdtempSync(path.join(tmpdir(), 'sparsefleet-stall-'));
  const coordinator = await startCoordinator({ port: 0, dataDir, logLevel: 'silent', enrollmentRateLimit: { limit: 100, windowMs: 60_000 } });
  const { key } = await coordinator.createApiKey('bench');
  const { token } = await coordinator.createEnrollmentToken();
  const meta = { node: process.version, quick, plan, loadavg_start: loadavg(), date: new Date().toISOString() };
  process.stdout.write(`# request stall (${JSON.stringify(meta)})\n`);

  const worker = new Worker(new URL(import.meta.url), { workerData: { url: coordinator.url, enrollmentToken: token, periodMs: plan.periodMs } satisfies DeviceSetup });
  const mailbox = new WorkerMailbox<{ kind: string; samples?: Sample[] }>(worker);
  const next = (kind: string) => mailbox.next(kind);
  await next('ready');
  await sleep(500); // let the connection settle

  // Diagnostics: the assignment run over the queue and GC pauses are the blocks the requests do not own.
  const spans: Array<{ kind: 'assignment' | 'gc'; start: number; ms: number }> = [];
  const assignment = coordinator.app.get(AssignmentService) as unknown as { assignOnce?: (...args: unknown[]) => Promise<unknown> };
  const assignOnce = assignment.assignOnce;
  if (typeof assignOnce === 'function') {
    assignment.assignOnce = async function (this: unknown, ...args: unknown[]) {
      const start = now();
      try {
        return await assignOnce.apply(this, args);
      } finally {
        spans.push({ kind: 'assignment', start, ms: now() - start });
      }
    };
  }
  const gc = new PerformanceObserver((list) => {
    for (const entry of list.getEntries()) spans.push({ kind: 'gc', start: performance.timeOrigin + entry.startTime, ms: entry.duration });
  });
  gc.observe({ entryTypes: ['gc'] });
  const loop = monitorEventLoopDelay({ resolution: 1 });
  loop.enable();
  // A 1 ms interval probe: each late tick is a block [from, to], kept to tell whose it was.
  const blocks: Array<[from: number, to: number]> = [];
  let lastTick = now();
  const probe = setInterval(() => {
    const tick = now();
    if (tick - lastTick > 5) blocks.push([lastTick, tick]);
    lastTick = tick;
  }, 1);
  const windows: Array<{ phase: string; start: number; end: number; status: number | null; loopMax: number; loopP99: number; error?: string }> = [];
  const post = async (body: unknown) => {
    const response = await fetch(`${coordinator.url}/api/campaigns`, {
      method: 'POST',
      headers: { authorization: `Bearer ${key}`, 'content-type': 'application/json' },
      body: JSON.stringify(body),
    });
    const text = await response.text();
    return { status: response.status, text };
  };
  const phase = async (name: string, body: () => Promise<{ status: number | null; error?: string }>) => {
    await sleep(300); // heartbeats of the previous phase drain
    loop.reset();
    const start = now();
    const outcome = await body();
    const end = now();
    windows.push({ phase: name, start, end, status: outcome.status, loopMax: loop.max / 1e6, loopP99: loop.percentile(99) / 1e6, error: outcome.error });
  };
  const request = (body: unknown, expected: number) => async () => {
    const { status, text } = await post(body);
    return { status, ...(status === expected ? {} : { error: text.slice(0, 300) }) };
  };

  await phase('idle', async () => {
    await sleep(plan.idleMs);
    return { status: null };
  });
  await phase('kernel-5000', request(KERNEL_AT_CAP, 201));
  await phase('training-5000', request(TRAINING_AT_CAP, 201));
  await phase('after-campaigns', async () => {
    await sleep(plan.afterMs);
    return { status: null };
  });
  await phase('refused-300000', request(HUGE, 400));
  await phase('refused-yaml', request({ yaml: hugeYaml() }, 400));
  await sleep(300);

  worker.postMessage({ kind: 'samples' });
  // Give heartbeats still in flight time to come back before counting them as missed.
  const samples = (await next('samples')).samples!;
  worker.postMessage({ kind: 'stop' });
  loop.disable();
  clearInterval(probe);
  gc.disconnect();
  await worker.terminate();
  await coordinator.close();
  rmSync(dataDir, { recursive: true, force: true });

  const records: StallRecord[] = windows.map((window) => {
    const inFlight = samples.filter(([sent, acked]) => sent <= window.end && (acked === null || acked >= window.start));
    const acked = inFlight.filter(([, at]) => at !== null).map(([sent, at]) => at! - sent).sort((a, b) => a - b);
    const missed = inFlight.filter(([sent, at]) => at === null && sent >= window.start).length;
    // Each block of the phase less the assignment runs inside it: what the request (and sweeps) held by themselves.
    const runs = spans.filter((span) => span.kind === 'assignment');
    const overlap = (from: number, to: number, start: number, end: number) => Math.max(0, Math.min(to, end) - Math.max(from, start));
    const otherBlocks = blocks
      .filter(([from, to]) => from < window.end && to > window.start)
      .map(([from, to]) => overlap(from, to, window.start, window.end) - runs.reduce((sum, run) => sum + overlap(from, to, run.start, run.start + run.ms), 0));
    const longest = (kind: string) => {
      const inside = spans.filter((span) => span.kind === kind && span.start >= window.start && span.start <= window.end);
      return inside.length === 0 ? null : round(Math.max(...inside.map((span) => span.ms)));
    };
    return {
      phase: window.phase,
      status: window.status,
      request_ms: round(window.end - window.start)!,
      heartbeats: inFlight.length,
      rtt_p50_ms: round(percentile(acked, 50)),
      rtt_p99_ms: round(percentile(acked, 99)),
      rtt_max_ms: round(acked.length ? acked[acked.length - 1]! : null),
      missed,
      loop_delay_max_ms: round(window.loopMax)!,
      loop_delay_p99_ms: round(window.loopP99)!,
      other_block_max_ms: round(Math.max(0, ...otherBlocks))!,
      assignment_max_ms: longest('assignment'),
      gc_max_ms: longest('gc'),
      ...(window.error ? { error: window.error } : {}),
    };
  });

  const header = ['phase', 'status', 'request ms', 'heartbeats', 'rtt p50', 'rtt p99', 'rtt max', 'missed', 'loop block max', 'loop p99', 'other block max', 'assignment run max', 'gc max'];
  process.stdout.write(`| ${header.join(' | ')} |\n| ${header.map(() => '---').join(' | ')} |\n`);
  for (const r of records) {
    const cells = [r.phase, r.status ?? '–', r.request_ms, r.heartbeats, r.rtt_p50_ms ?? '–', r.rtt_p99_ms ?? '–', r.rtt_max_ms ?? '–', r.missed, r.loop_delay_max_ms, r.loop_delay_p99_ms, r.other_block_max_ms, r.assignment_max_ms ?? '–', r.gc_max_ms ?? '–'];
    process.stdout.write(`| ${cells.join(' | ')} |\n`);
    if (r.error) process.stdout.write(`  ${r.phase}: unexpected reply ${r.error}\n`);
  }
  process.stdout.write(`# loadavg at end: ${loadavg().map((v) => v.toFixed(2)).join(' ')}\n`);
  if (jsonFile) {
    writeFileSync(jsonFile, `${JSON.stringify({ meta: { ...meta, loadavg_end: loadavg() }, records }, null, 2)}\n`);
    process.stdout.write(`# wrote ${jsonFile}\n`);
  }
}

main().catch((error: unknown) => {
  console.error(error);
  process.exit(1);
});
