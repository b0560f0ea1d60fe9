// A protocol-level device for the multi-node fault test, written from proto/ through the protocol door: it enrolls
// once, keeps one connection to one of the coordinator nodes and moves to the next node when that connection drops
// (as a device behind a load balancer would), runs each assigned job as a paced series of progress reports and a
// result, and records every report the coordinator acknowledged.
import { io, type Socket } from 'socket.io-client';
import {
  DEVICE_CHANNEL_EVENT,
  decodeFrame,
  encodeMessage,
  expectMessage,
  type DecodedMessage,
  type MessageOf,
  type MessageTypeName,
} from '../../../protocol/src/index.js';
import { TEST_FACTS } from '../../server/support/coordinator-harness.js';
import { jobResult, progressReport } from '../../server/support/job-messages.js';

export interface AcknowledgedReport {
  readonly jobId: string;
  readonly attempt: number;
  readonly sequence: number;
}

interface RunningJob {
  readonly jobId: string;
  readonly attempt: number;
  nextSequence: number;
  stopped: boolean;
}

let requests = 0;

export class FailoverDevice {
  /** Progress reports and results the coordinator acknowledged (Ack), in order. */
  readonly acknowledged: AcknowledgedReport[] = [];
  readonly results: AcknowledgedReport[] = [];
  /** URLs of the nodes this device's connections went to, in order. */
  readonly connections: string[] = [];
  private socket: Socket | undefined;
  private readonly jobs = new Map<string, RunningJob>();
  private closed = false;

  private constructor(
    readonly deviceId: string,
    private readonly credential: string,
    private readonly urls: readonly string[],
    private nodeIndex: number,
    private readonly reports: { readonly count: number; readonly everyMs: number },
  ) {}

  /** Enrolls through `urls[first]` and connects there. */
  static async enroll(
    urls: readonly string[],
    first: number,
    token: string,
    reports: { readonly count: number; readonly everyMs: number },
  ): Promise<FailoverDevice> {
    const enrolling = await open(urls[first]!, { enrollmentToken: token });
    const reply = await call(enrolling, 'sparsefleet.v1.EnrollRequest', { facts: TEST_FACTS, displayName: `failover-${first}` });
    enrolling.close();
    const { deviceId, credential } = expectMessage(reply, 'sparsefleet.v1.EnrollResponse');
    const device = new FailoverDevice(deviceId, credential, urls, first, reports);
    await device.connect();
    return device;
  }

  get nodeUrl(): string {
    return this.urls[this.nodeIndex]!;
  }

  get runningJobIds(): string[] {
    return [...this.jobs.values()].filter((job) => !job.stopped).map((job) => job.jobId);
  }

  close(): void {
    this.closed = true;
    for (const job of this.jobs.values()) job.stopped = true;
    this.socket?.close();
  }

  private async connect(): Promise<void> {
    for (let attempt = 0; !this.closed; attempt++) {
      try {
        const socket = await open(this.nodeUrl, { deviceId: this.deviceId, credential: this.credential });
        socket.on(DEVICE_CHANNEL_EVENT, (frame: unknown, ack?: (reply: Uint8Array) => void) => this.onPush(frame, ack));
        let hello: DecodedMessage;
        try {
          hello = await call(socket, 'sparsefleet.v1.HelloRequest', { facts: TEST_FACTS, runningJobIds: this.runningJobIds });
        } catch (error) {
          socket.close();
          throw error;
        }
        this.socket = socket;
        this.connections.push(this.nodeUrl);
        const { heartbeatIntervalMs } = expectMessage(hello, 'sparsefleet.v1.HelloResponse');
        const beat = setInterval(() => {
          const heartbeat = { sentAtMs: Date.now(), telemetry: undefined, runningJobIds: this.runningJobIds };
          if (socket.connected) call(socket, 'sparsefleet.v1.Heartbeat', heartbeat).catch(() => undefined);
        }, heartbeatIntervalMs);
        socket.once('disconnect', () => {
          clearInterval(beat);
          if (this.closed) return;
          // The node went away: the next one, as a load balancer would pick another healthy node.
          this.nodeIndex = (this.nodeIndex + 1) % this.urls.length;
          void this.connect();
        });
        return;
      } catch {
        this.nodeIndex = (this.nodeIndex + 1) % this.urls.length;
        await pause(Math.min(1000, 100 * (attempt + 1)));
      }
    }
  }

  private onPush(frame: unknown, ack?: (reply: Uint8Array) => void): void {
    const pushed = decodeFrame(frame);
    const options = { senderVersion: 'failover-device', requestId: pushed.requestId };
    if (pushed.type === 'sparsefleet.v1.JobAssignment') {
      const assignment = pushed.message as MessageOf<'sparsefleet.v1.JobAssignment'>;
      ack?.(encodeMessage('sparsefleet.v1.JobAccepted', { jobId: assignment.jobId, attempt: assignment.attempt, accepted: true, reason: '' }, options));
      const job: RunningJob = { jobId: assignment.jobId, attempt: assignment.attempt, nextSequence: 1, stopped: false };
      this.jobs.set(`${job.jobId}#${job.attempt}`, job);
      void this.run(job);
      return;
    }
    if (pushed.type === 'sparsefleet.v1.JobCancel') {
      const { jobId } = pushed.message as MessageOf<'sparsefleet.v1.JobCancel'>;
      for (const job of this.jobs.values()) if (job.jobId === jobId) job.stopped = true;
    }
    ack?.(encodeMessage('sparsefleet.v1.Ack', { ok: true }, options));
  }

  /** Sends the job's reports in order; a report that got no Ack (the node died) is resent on the next connection. */
  private async run(job: RunningJob): Promise<void> {
    while (!job.stopped && job.nextSequence <= this.reports.count) {
      await pause(this.reports.everyMs);
      if (await this.report(job, 'sparsefleet.v1.ProgressReport', progressReport(job.jobId, job.attempt, job.nextSequence))) {
        this.acknowledged.push({ jobId: job.jobId, attempt: job.attempt, sequence: job.nextSequence });
        job.nextSequence += 1;
      }
    }
    while (!job.stopped) {
      const sequence = this.reports.count + 1;
      if (await this.report(job, 'sparsefleet.v1.JobResult', jobResult(job.jobId, job.attempt, sequence))) {
        this.results.push({ jobId: job.jobId, attempt: job.attempt, sequence });
        job.stopped = true;
      } else {
        await pause(this.reports.everyMs);
      }
    }
  }

  /** True when the coordinator acknowledged it; a refusal (the attempt ended) stops the job. */
  private async report<N extends MessageTypeName>(job: RunningJob, type: N, message: MessageOf<N>): Promise<boolean> {
    const socket = this.socket;
    if (!socket?.connected) return false;
    try {
      const reply = await call(socket, type, message);
      if (reply.type === 'sparsefleet.v1.Ack') return true;
      job.stopped = true;
      return false;
    } catch {
      return false;
    }
  }
}

function open(url: string, auth: Record<string, string>): Promise<Socket> {
  const socket = io(url, { transports: ['websocket'], forceNew: true, reconnection: false, auth });
  return new Promise((resolve, reject) => {
    socket.once('connect', () => resolve(socket));
    socket.once('connect_error', (error) => {
      socket.close();
      reject(error);
    });
  });
}

async function call<N extends MessageTypeName>(socket: Socket, type: N, message: MessageOf<N>): Promise<DecodedMessage> {
  requests += 1;
  const frame = encodeMessage(type, message, { senderVersion: 'failover-device', requestId: `failover-${requests}` });
  return decodeFrame(await socket.timeout(3000).emitWithAck(DEVICE_CHANNEL_EVENT, frame));
}

function pause(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}
