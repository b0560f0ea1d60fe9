// Flood: does a well-behaved device keep its heartbeat round trip while another device floods the coordinator?
// Starts a coordinator in-process (loopback, throwaway data dir, silent log, the default device-channel limits) and
// two protocol-level devices, each in its own worker thread:
//   steady   sends a Heartbeat every 20 ms without waiting for acks (50 a second, under the limit of 60) and
//            records each round trip
//   flooder  sends Heartbeats as fast as its socket takes them, without waiting; when the coordinator drops it, it
//            tries to reconnect with its credential at once (every 10 ms while refused) and floods again
// The phases run one after another in the same run, so the figures compare side by side:
//   baseline  the steady device alone
//   flood     the flooder floods (and reconnects) the whole phase
//   after     the flooder has stopped: recovery
// Each row gives the steady device's round trip (p50 / p99 / max), its heartbeats with no ack within 10 s or
// answered with an error, the ratio of the phase's p50 and p99 to the baseline's (the target: within 2× during the
// flood), the flooder's frames, RATE_LIMITED answers, disconnects, connections and refused handshakes, and the
// coordinator's event-loop busy share and longest block. All three threads share the machine's cores, so a busy
// machine shows up in every phase (the baseline included): compare phases of one run.
//   npm run build && node dist/bench/flood.js [--quick] [--json FILE]
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { loadavg, tmpdir } from 'node:os';
import path from 'node:path';
import { monitorEventLoopDelay, performance } from 'node:perf_hooks';
import { Worker, isMainThread, parentPort, workerData } from 'node:worker_threads';
import { io, type Socket } from 'socket.io-client';
import { DEVICE_CHANNEL_EVENT, ErrorCode, decodeFrame, encodeMessage, type MessageOf } from '../protocol/src/index.js';
import { startCoordinator } from '../server/src/coordinator.js';
import { percentile } from './support/percentile.js';
import { WorkerMailbox, serveHeartbeatSamples } from './support/worker-mailbox.js';

type Role = 'steady' | 'flooder';

interface DeviceSetup {
  readonly role: Role;
  readonly url: string;
  readonly enrollmentToken: string;
  readonly periodMs: number;
}

/** One steady heartbeat: absolute send and ack times, and whether the answer was a HeartbeatAck. */
type Sample = [sentAt: number, ackedAt: number | null, ok: boolean];

interface FloodCounts {
  sent: number;
  rateLimited: number;
  otherAnswers: number;
  disconnects: number;
  connections: number;
  /** Connection attempts the coordinator refused at the handshake (a flooder is kept out for a while). */
  refusedHandshakes: number;
}

interface FloodRecord {
  phase: string;
  duration_ms: number;
  heartbeats: number;
  rtt_p50_ms: number | null;
  rtt_p99_ms: number | null;
  rtt_max_ms: number | null;
  /** p50 and p99 of the phase over the baseline's. */
  p50_ratio: number | null;
  p99_ratio: number | null;
  /** Steady heartbeats sent in the phase with no ack within 10 s. */
  missed: number;
  /** Steady heartbeats answered with something other than a HeartbeatAck (e.g. RATE_LIMITED). */
  refused: number;
  flood_frames: number;
  flood_rate_limited: number;
  flood_disconnects: number;
  /** Connections the flooder opened (it reconnects as soon as it is dropped) and attempts refused at the handshake. */
  flood_connections: number;
  flood_refused_handshakes: number;
  /** Share of the phase the coordinator's event loop was busy (performance.eventLoopUtilization). */
  loop_utilization: number;
  /** The coordinator thread's longest event-loop block and p99 delay during the phase. */
  loop_delay_max_ms: number;
  loop_delay_p99_ms: number;
}

const ACK_TIMEOUT_MS = 10_000;
/** The target: the steady device's round trip during the flood within this factor of the baseline's. */
const TARGET_RATIO = 2;
const now = () => performance.timeOrigin + performance.now();
const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

const FACTS = {
  platform: 'linux', arch: 'x64', cpuModel: 'bench cpu', cores: 2, memoryBytes: 4 * 1024 ** 3,
  backendsAvailable: ['wasm', 'cpu'], wasmSimd: true, wasmThreads: false, deviceModel: 'bench-box',
  agentVersion: 'bench', chosenBackend: 'wasm', runtime: 'node', labels: {},
};

// ---- devices (worker threads) ----

function connect(url: string, auth: Record<string, unknown>): Promise<Socket> {
  return new Promise<Socket>((resolve, reject) => {
    const socket = io(url, { transports: ['websocket'], forceNew: true, reconnection: false, auth });
    socket.once('connect', () => resolve(socket));
    socket.once('connect_error', reject);
  });
}

async function enroll(setup: DeviceSetup): Promise<{ deviceId: string; credential: string }> {
  const enrolling = await connect(setup.url, { enrollmentToken: setup.enrollmentToken });
  const frame = encodeMessage('sparsefleet.v1.EnrollRequest', { facts: FACTS, displayName: `bench-${setup.role}` }, { senderVersion: 'bench' });
  const reply = decodeFrame(await enrolling.timeout(ACK_TIMEOUT_MS).emitWithAck(DEVICE_CHANNEL_EVENT, frame));
  enrolling.close();
  if (reply.type !== 'sparsefleet.v1.EnrollResponse') throw new Error(`enrollment failed: ${JSON.stringify(reply.message)}`);
  const { deviceId, credential } = reply.message as MessageOf<'sparsefleet.v1.EnrollResponse'>;
  return { deviceId, credential };
}

function heartbeatFrame(requestId: string): Uint8Array {
  return encodeMessage('sparsefleet.v1.Heartbeat', { sentAtMs: Date.now(), telemetry: undefined, runningJobIds: [] }, { senderVersion: 'bench', requestId });
}

async function runSteady(setup: DeviceSetup): Promise<void> {
  const port = parentPort!;
  const identity = await enroll(setup);
  const socket = await connect(setup.url, identity);
  const hello = encodeMessage('sparsefleet.v1.HelloRequest', { facts: FACTS, runningJobIds: [] }, { senderVersion: 'bench' });
  await socket.timeout(ACK_TIMEOUT_MS).emitWithAck(DEVICE_CHANNEL_EVENT, hello);
  const samples: Sample[] = [];
  let counter = 0;
  const timer = setInterval(() => {
    const sample: Sample = [now(), null, false];
    samples.push(sample);
    socket
      .timeout(ACK_TIMEOUT_MS)
      .emitWithAck(DEVICE_CHANNEL_EVENT, heartbeatFrame(`steady-${++counter}`))
      .then(
        (reply: unknown) => {
          sample[1] = now();
          sample[2] = decodeFrame(reply).type === 'sparsefleet.v1.HeartbeatAck';
        },
        () => undefined,
      );
  }, setup.periodMs);
  port.postMessage({ kind: 'ready' });
  serveHeartbeatSamples(port, samples, () => {
    clearInterval(timer);
    socket.close();
  });
}

async function runFlooder(setup: DeviceSetup): Promise<void> {
  const port = parentPort!;
  const identity = await enroll(setup);
  const counts: FloodCounts = { sent: 0, rateLimited: 0, otherAnswers: 0, disconnects: 0, connections: 0, refusedHandshakes: 0 };
  let flooding = false;
  let stopped = false;
  const onReply = (reply: unknown) => {
    try {
      const decoded = decodeFrame(reply);
      const code = decoded.type === 'sparsefleet.v1.ProtocolError' ? (decoded.message as MessageOf<'sparsefleet.v1.ProtocolError'>).code : undefined;
      if (code === ErrorCode.ERROR_CODE_RATE_LIMITED) counts.rateLimited += 1;
      else counts.otherAnswers += 1;
    } catch {
      counts.otherAnswers += 1;
    }
  };
  const floodLoop = async () => {
    const frame = heartbeatFrame('flood');
    while (flooding && !stopped) {
      let socket: Socket;
      try {
        socket = await connect(setup.url, identity);
      } catch {
        counts.refusedHandshakes += 1;
        await sleep(10);
        continue;
      }
      counts.connections += 1;
      while (flooding && socket.connected) {
        socket.emit(DEVICE_CHANNEL_EVENT, frame, onReply);
        counts.sent += 1;
        if (counts.sent % 100 === 0) await new Promise((resolve) => setImmediate(resolve));
      }
      if (!socket.connected) counts.disconnects += 1;
      socket.close();
    }
  };
  port.postMessage({ kind: 'ready' });
  let loop: Promise<void> = Promise.resolve();
  port.on('message', (message: { kind: string }) => {
    if (message.kind === 'start') {
      flooding = true;
      loop = floodLoop();
    }
    if (message.kind === 'pause') {
      flooding = false;
      void loop.then(() => port.postMessage({ kind: 'counts', counts: { ...counts } }));
    }
    if (message.kind === 'stop') {
      stopped = true;
      port.close();
    }
  });
}

// ---- coordinator side (main thread) ----

const round = (value: number | null) => (value === null ? null : Math.round(value * 100) / 100);

type DeviceMessage = { kind: string; samples?: Sample[]; counts?: FloodCounts };

class DeviceThread {
  readonly worker: Worker;
  private readonly mailbox: WorkerMailbox<DeviceMessage>;

  constructor(setup: DeviceSetup) {
    this.worker = new Worker(new URL(import.meta.url), { workerData: setup });
    this.mailbox = new WorkerMailbox<DeviceMessage>(this.worker);
    this.worker.on('error', (error) => {
      console.error(`${setup.role} device failed:`, error);
      process.exit(1);
    });
  }

  send(kind: string): void {
    this.worker.postMessage({ kind });
  }

  next(kind: string): Promise<DeviceMessage> {
    return this.mailbox.next(kind);
  }
}

async function main(): Promise<void> {
  if (!isMainThread) {
    const setup = workerData as DeviceSetup;
    return setup.role === 'steady' ? runSteady(setup) : runFlooder(setup);
  }
  const args = process.argv.slice(2);
  const quick = args.includes('--quick');
  const jsonIndex = args.indexOf('--json');
  const jsonFile = jsonIndex >= 0 ? args[jsonIndex + 1] : undefined;
  if (jsonIndex >= 0 && !jsonFile) throw new Error('--json needs a file name');
  const plan = quick ? { baselineMs: 4000, floodMs: 4000, afterMs: 3000, periodMs: 20 } : { baselineMs: 10_000, floodMs: 10_000, afterMs: 5000, periodMs: 20 };

  const dataDir = mkdtempSync(path.join(tmpdir(), 'sparsefleet-flood-'));
  const coordinator = await startCoordinator({ port: 0, dataDir, logLevel: 'silent', enrollmentRateLimit: { limit: 100, windowMs: 60_000 } });
  const token = async () => (await coordinator.createEnrollmentToken()).token;
  const meta = { node: process.version, quick, plan, loadavg_start: loadavg(), date: new Date().toISOString() };
  process.stdout.write(`# flood (${JSON.stringify(meta)})\n`);

  const steady = new DeviceThread({ role: 'steady', url: coordinator.url, enrollmentToken: await token(), periodMs: plan.periodMs });
  const flooder = new DeviceThread({ role: 'flooder', url: coordinator.url, enrollmentToken: await token(), periodMs: 0 });
  await Promise.all([steady.next('ready'), flooder.next('ready')]);
  await sleep(500); // let the connections settle

  const loop = monitorEventLoopDelay({ resolution: 1 });
  loop.enable();
  const windows: Array<{ phase: string; start: number; end: number; counts: FloodCounts; loopMax: number; loopP99: number; utilization: number }> = [];
  let floodTotals: FloodCounts = { sent: 0, rateLimited: 0, otherAnswers: 0, disconnects: 0, connections: 0, refusedHandshakes: 0 };
  const phase = async (name: string, ms: number, flood: boolean) => {
    loop.reset();
    const busyBefore = performance.eventLoopUtilization();
    const start = now();
    if (flood) flooder.send('start');
    await sleep(ms);
    let counts: FloodCounts = { sent: 0, rateLimited: 0, otherAnswers: 0, disconnects: 0, connections: 0, refusedHandshakes: 0 };
    if (flood) {
      flooder.send('pause');
      const totals = (await flooder.next('counts')).counts!;
      counts = Object.fromEntries(Object.entries(totals).map(([key, value]) => [key, value - floodTotals[key as keyof FloodCounts]])) as unknown as FloodCounts;
      floodTotals = totals;
    }
    const utilization = performance.eventLoopUtilization(busyBefore).utilization;
    windows.push({ phase: name, start, end: now(), counts, loopMax: loop.max / 1e6, loopP99: loop.percentile(99) / 1e6, utilization });
  };

  await phase('baseline', plan.baselineMs, false);
  await phase('flood', plan.floodMs, true);
  await sleep(500); // answers to the last flood frames drain
  await phase('after', plan.afterMs, false);
  await sleep(300);

  steady.send('samples');
  const samples = (await steady.next('samples')).samples!;
  steady.send('stop');
  flooder.send('stop');
  loop.disable();
  await Promise.all([steady.worker.terminate(), flooder.worker.terminate()]);
  await coordinator.close();
  rmSync(dataDir, { recursive: true, force: true });

  const rtts = (window: (typeof windows)[number]) =>
    samples
      .filter(([sent, acked]) => sent >= window.start && sent <= window.end && acked !== null)
      .map(([sent, acked]) => acked! - sent)
      .sort((a, b) => a - b);
  const baseline = rtts(windows[0]!);
  const baseP50 = percentile(baseline, 50);
  const baseP99 = percentile(baseline, 99);
  const records: FloodRecord[] = windows.map((window) => {
    const sent = samples.filter(([at]) => at >= window.start && at <= window.end);
    const acked = rtts(window);
    const p50 = percentile(acked, 50);
    const p99 = percentile(acked, 99);
    return {
      phase: window.phase,
      duration_ms: Math.round(window.end - window.start),
      heartbeats: sent.length,
      rtt_p50_ms: round(p50),
      rtt_p99_ms: round(p99),
      rtt_max_ms: round(acked.length ? acked[acked.length - 1]! : null),
      p50_ratio: p50 !== null && baseP50 ? round(p50 / baseP50) : null,
      p99_ratio: p99 !== null && baseP99 ? round(p99 / baseP99) : null,
      missed: sent.filter(([, at]) => at === null).length,
      refused: sent.filter(([, at, ok]) => at !== null && !ok).length,
      flood_frames: window.counts.sent,
      flood_rate_limited: window.counts.rateLimited,
      flood_disconnects: window.counts.disconnects,
      flood_connections: window.counts.connections,
      flood_refused_handshakes: window.counts.refusedHandshakes,
      loop_utilization: round(window.utilization)!,
      loop_delay_max_ms: round(window.loopMax)!,
      loop_delay_p99_ms: round(window.loopP99)!,
    };
  });

  const header = ['phase', 'heartbeats', 'rtt p50', 'rtt p99', 'rtt max', 'p50 ×', 'p99 ×', 'missed', 'refused', 'flood frames', 'RATE_LIMITED', 'disconnects', 'connections', 'handshakes refused', 'loop busy', 'loop block max', 'loop p99'];
  process.stdout.write(`| ${header.join(' | ')} |\n| ${header.map(() => '---').join(' | ')} |\n`);
  for (const r of records) {
    const cells = [r.phase, r.heartbeats, r.rtt_p50_ms ?? '–', r.rtt_p99_ms ?? '–', r.rtt_max_ms ?? '–', r.p50_ratio ?? '–', r.p99_ratio ?? '–', r.missed, r.refused, r.flood_frames, r.flood_rate_limited, r.flood_disconnects, r.flood_connections, r.flood_refused_handshakes, r.loop_utilization, r.loop_delay_max_ms, r.loop_delay_p99_ms];
    process.stdout.write(`| ${cells.join(' | ')} |\n`);
  }
  const flood = records.find((r) => r.phase === 'flood')!;
  const verdict = (ratio: number | null) => (ratio !== null && ratio <= TARGET_RATIO ? 'within' : 'MISSED');
  process.stdout.write(
    `# steady heartbeat round trip during the flood: p50 ${flood.p50_ratio}× (${verdict(flood.p50_ratio)} ${TARGET_RATIO}×), ` +
      `p99 ${flood.p99_ratio}× (${verdict(flood.p99_ratio)} ${TARGET_RATIO}×); missed ${flood.missed}, refused ${flood.refused}; ` +
      `flooder dropped ${flood.flood_disconnects} time(s)\n`,
  );
  process.stdout.write(`# loadavg at end: ${loadavg().map((v) => v.toFixed(2)).join(' ')}\n`);
  if (jsonFile) {
    writeFileSync(jsonFile, `${JSON.stringify({ meta: { ...meta, loadavg_end: loadavg(), target_ratio: TARGET_RATIO }, records }, null, 2)}\n`);
    process.stdout.write(`# wrote ${jsonFile}\n`);
  }
}

main().catch((error: unknown) => {
  console.error(error);
  process.exit(1);
});
