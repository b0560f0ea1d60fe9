// Child-process entry of the coordinator benchmark: a group of protocol-level simulated devices (socket.io-client +
// the protocol door, no agent). Each device enrolls once and keeps its credential in memory, connects, says Hello,
// heartbeats at the interval the HelloResponse names (first beat at a random point of the interval, so the fleet's
// heartbeats spread evenly), accepts every pushed job at once and reports a result for it. The parent drives the
// phases over IPC (bench/support/device-group-ipc.ts).
import { performance } from 'node:perf_hooks';
import type { Socket } from 'socket.io-client';
import { DEVICE_CHANNEL_EVENT, decodeFrame, type MessageOf } from '../../protocol/src/index.js';
import {
  answerPushes,
  connectDevice,
  enrollDevice,
  HandshakeRefused,
  heartbeatFrame,
  helloRequest,
  instantJobResult,
  requestReply,
  type DeviceIdentity,
} from './bench-device.js';
import { LoopDelayMonitor } from './loop-delay.js';
import type { DeviceGroupCommand, DeviceGroupReply, DeviceGroupSetup, Failures } from './device-group-ipc.js';

const HEARTBEAT_TIMEOUT_MS = 10_000;
const RETRY_PAUSE_MS = 1000;
const now = () => performance.timeOrigin + performance.now();
const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

interface SimulatedDevice {
  readonly index: number;
  readonly url: string;
  identity?: DeviceIdentity;
  socket?: Socket;
  heartbeats?: NodeJS.Timeout;
}

/** One heartbeat sent in the measuring window: send time, ack time (null while pending or missed), HeartbeatAck? */
type Sample = [sentAt: number, ackedAt: number | null, ok: boolean];

class FailureCount {
  failed = 0;
  firstError: string | undefined;

  add(error: unknown): void {
    this.failed += 1;
    this.firstError ??= error instanceof Error ? error.message : String(error);
  }

  get value(): Failures {
    return { failed: this.failed, ...(this.firstError ? { firstError: this.firstError } : {}) };
  }
}

class DeviceGroup {
  private readonly devices: SimulatedDevice[];
  private heartbeatIntervalMs = 0;
  private recording: Sample[] | undefined;
  private heartbeatCounter = 0;
  private jobsDone = 0;
  private readonly jobFailures = new FailureCount();
  private unexpectedDisconnects = 0;
  private readonly loopDelay = new LoopDelayMonitor();

  constructor(setup: DeviceGroupSetup) {
    this.devices = Array.from({ length: setup.count }, (_, offset) => {
      const index = setup.firstIndex + offset;
      return { index, url: setup.urls[index % setup.urls.length]! };
    });
  }

  async enroll(token: string, concurrency: number): Promise<DeviceGroupReply> {
    const failures = new FailureCount();
    await eachLimited(this.devices, concurrency, async (device) => {
      try {
        device.identity = await enrollDevice(device.url, token, `bench-${device.index}`);
      } catch (error) {
        failures.add(error);
      }
    });
    return { kind: 'enrolled', failures: failures.value };
  }

  async connect(concurrency: number): Promise<DeviceGroupReply> {
    const failures = new FailureCount();
    await eachLimited(this.devices, concurrency, async (device) => {
      try {
        await this.goOnline(device);
      } catch (error) {
        failures.add(error);
      }
    });
    return { kind: 'connected', held: this.held(), failures: failures.value, heartbeatIntervalMs: this.heartbeatIntervalMs };
  }

  /** Handshake with the credential, Hello, then heartbeats; answers pushes from then on. */
  private async goOnline(device: SimulatedDevice): Promise<void> {
    if (!device.identity) throw new Error('not enrolled');
    const socket = await connectDevice(device.url, device.identity);
    device.socket = socket;
    // Removed before we close a socket ourselves, so only the coordinator's disconnects count here.
    socket.on('disconnect', () => {
      this.unexpectedDisconnects += 1;
      this.stopHeartbeats(device);
    });
    answerPushes(socket, (assignment) => void this.reportResult(socket, assignment));
    const reply = await requestReply(socket, 'sparsefleet.v1.HelloRequest', helloRequest(), `hello-${device.index}`);
    if (reply.type !== 'sparsefleet.v1.HelloResponse') throw new Error(`hello refused: ${JSON.stringify(reply.message)}`);
    this.heartbeatIntervalMs = (reply.message as MessageOf<'sparsefleet.v1.HelloResponse'>).heartbeatIntervalMs;
    this.startHeartbeats(device, socket);
  }

  private startHeartbeats(device: SimulatedDevice, socket: Socket): void {
    const interval = this.heartbeatIntervalMs;
    device.heartbeats = setTimeout(() => {
      this.beat(socket);
      device.heartbeats = setInterval(() => this.beat(socket), interval);
    }, Math.random() * interval);
  }

  private stopHeartbeats(device: SimulatedDevice): void {
    clearTimeout(device.heartbeats);
    clearInterval(device.heartbeats);
    device.heartbeats = undefined;
  }

  private beat(socket: Socket): void {
    if (!socket.connected) return;
    const sample: Sample | undefined = this.recording ? [now(), null, false] : undefined;
    if (sample) this.recording!.push(sample);
    socket
      .timeout(HEARTBEAT_TIMEOUT_MS)
      .emitWithAck(DEVICE_CHANNEL_EVENT, heartbeatFrame(`hb-${++this.heartbeatCounter}`))
      .then(
        (reply: unknown) => {
          if (!sample) return;
          sample[1] = now();
          sample[2] = decodeFrame(reply).type === 'sparsefleet.v1.HeartbeatAck';
        },
        () => undefined,
      );
  }

  private async reportResult(socket: Socket, assignment: MessageOf<'sparsefleet.v1.JobAssignment'>): Promise<void> {
    try {
      const reply = await requestReply(socket, 'sparsefleet.v1.JobResult', instantJobResult(assignment.jobId, assignment.attempt), `result-${assignment.jobId}`);
      if (reply.type === 'sparsefleet.v1.Ack') this.jobsDone += 1;
      else this.jobFailures.add(new Error(`result refused: ${JSON.stringify(reply.message)}`));
    } catch (error) {
      this.jobFailures.add(error);
    }
  }

  startWindow(): DeviceGroupReply {
    this.recording = [];
    this.loopDelay.reset();
    return { kind: 'window-started' };
  }

  /** Stops recording, waits until every recorded heartbeat is answered or timed out, and hands over the figures. */
  async endWindow(): Promise<DeviceGroupReply> {
    const samples = this.recording ?? [];
    this.recording = undefined;
    const loopDelay = this.loopDelay.read();
    const deadline = now() + HEARTBEAT_TIMEOUT_MS + 500;
    while (samples.some(([, acked]) => acked === null) && now() < deadline) await sleep(100);
    const answered = samples.filter(([, acked]) => acked !== null);
    return {
      kind: 'window',
      rtts: answered.filter(([, , ok]) => ok).map(([sent, acked]) => acked! - sent),
      sent: samples.length,
      missed: samples.length - answered.length,
      refused: answered.filter(([, , ok]) => !ok).length,
      loopDelay,
    };
  }

  jobCount(): DeviceGroupReply {
    const { failed, firstError } = this.jobFailures.value;
    return { kind: 'job-count', done: this.jobsDone, refused: failed, ...(firstError ? { firstError } : {}) };
  }

  /**
   * Every device drops its connection at the same moment and reconnects at once (a coordinator restart or a network
   * blip as the devices see it). A refused or timed-out handshake is tried again after a pause, until the deadline.
   */
  async storm(deadlineMs: number): Promise<DeviceGroupReply> {
    const startedAt = now();
    for (const device of this.devices) this.closeDevice(device);
    let lastHelloAt = startedAt;
    let reconnected = 0;
    const retries = new FailureCount();
    const failures = new FailureCount();
    let toldToWait = 0;
    await Promise.all(
      this.devices.map(async (device) => {
        for (;;) {
          try {
            await this.goOnline(device);
            lastHelloAt = Math.max(lastHelloAt, now());
            reconnected += 1;
            return;
          } catch (error) {
            this.closeDevice(device);
            if (now() - startedAt > deadlineMs) return failures.add(error);
            // A busy coordinator says when to come back; any other failure is retried after a fixed pause.
            const retryAfterMs = error instanceof HandshakeRefused ? error.retryAfterMs : undefined;
            if (retryAfterMs === undefined) retries.add(error);
            else toldToWait += 1;
            await sleep(retryAfterMs ?? RETRY_PAUSE_MS);
          }
        }
      }),
    );
    return { kind: 'storm', startedAt, lastHelloAt, reconnected, retries: retries.value, toldToWait, failures: failures.value };
  }

  private closeDevice(device: SimulatedDevice): void {
    this.stopHeartbeats(device);
    if (!device.socket) return;
    device.socket.off('disconnect');
    device.socket.close();
    device.socket = undefined;
  }

  held(): number {
    return this.devices.filter((device) => device.socket?.connected).length;
  }

  heldReply(): DeviceGroupReply {
    return { kind: 'held', held: this.held(), unexpectedDisconnects: this.unexpectedDisconnects };
  }

  stop(): void {
    for (const device of this.devices) this.closeDevice(device);
  }
}

/** Runs `task` over `items` with at most `limit` running at once. */
async function eachLimited<T>(items: readonly T[], limit: number, task: (item: T) => Promise<void>): Promise<void> {
  let next = 0;
  const lanes = Array.from({ length: Math.min(limit, items.length) }, async () => {
    while (next < items.length) await task(items[next++]!);
  });
  await Promise.all(lanes);
}

function main(): void {
  const group = new DeviceGroup(JSON.parse(process.env.BENCH_DEVICE_GROUP ?? '') as DeviceGroupSetup);
  const send = (reply: DeviceGroupReply) => process.send!(reply);
  process.on('disconnect', () => process.exit(0));
  process.on('message', (command: DeviceGroupCommand) => {
    const answer = async (): Promise<DeviceGroupReply> => {
      switch (command.kind) {
        case 'enroll':
          return group.enroll(command.enrollmentToken, command.concurrency);
        case 'connect':
          return group.connect(command.concurrency);
        case 'window-start':
          return group.startWindow();
        case 'window-end':
          return group.endWindow();
        case 'job-count':
          return group.jobCount();
        case 'storm':
          return group.storm(command.deadlineMs);
        case 'held':
          return group.heldReply();
        case 'stop':
          group.stop();
          return { kind: 'stopped' };
      }
    };
    answer().then(send, (error: unknown) => {
      console.error('device group failed:', error);
      process.exit(1);
    });
  });
}

main();
