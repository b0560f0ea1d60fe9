// A small socket.io server speaking the device protocol, for agent tests that must not depend on the real
// coordinator: handshake auth, enroll/hello/heartbeat replies, report recording, job pushes, link faults.
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { Server, type Socket } from 'socket.io';
import { DEVICE_CHANNEL_EVENT, ErrorCode, decodeFrame, encodeMessage, encodeProtocolError, errorCodeName, expectMessage, type HandshakeRefusal, type MessageOf, type MessageTypeName, withDefaults } from '../../protocol/src/index.js';
import { createHash } from 'node:crypto';
import type { CheckpointChunk, CheckpointCommit, CheckpointFetchRequest } from '../../protocol/src/index.js';
import { JobAssignment, TrainingJobSpec, type JobResult, type ProgressReport } from '../../protocol/src/index.js';
import type { ForgettingStatsChunk, RemovalSet, RemovalSetRequest } from '../../protocol/src/index.js';

const VERSION = 'fake-coordinator';

export class FakeCoordinator {
  readonly handshakes: Array<Record<string, unknown>> = [];
  readonly received: Array<{ type: string; message: unknown }> = [];
  readonly devices = new Map<string, string>();
  /** Sequence numbers the fake "loses" once: no ack, and the link is dropped. */
  readonly dropOnce = new Set<number>();
  heartbeatIntervalMs = 50;
  /** Answer this many HelloRequests with an INTERNAL protocol error. */
  failHellos = 0;
  /** Device handshakes still to refuse as a busy coordinator does: RATE_LIMITED with this retry delay. */
  busyHandshakes: { count: number; retryAfterMs: number } = { count: 0, retryAfterMs: 0 };
  /** Committed checkpoints by id (sha256 hex). */
  readonly checkpoints = new Map<string, Uint8Array>();
  /** Answer this many CheckpointFetchRequests with an INTERNAL error first; then serve them. */
  failFetches = 0;
  /** Answer every CheckpointFetchRequest with this protocol error code. */
  refuseFetches: ErrorCode | undefined;
  /** Forgetting-statistics pieces the fake "loses" once, by `epoch|chunkIndex`: no ack, and the link is dropped. */
  readonly dropForgettingOnce = new Set<string>();
  /** Answer every ForgettingStatsChunk with this protocol error code. */
  refuseForgetting: ErrorCode | undefined;
  /**
   * The newest removal set at each RemovalSetRequest, in order (undefined: none); the reply says changed when its
   * version is newer than the device's. The last entry stays once the others are used up.
   */
  readonly removalSets: Array<RemovalSet | undefined> = [];
  refuseRemovalRequests: ErrorCode | undefined;
  /** While true, JobResult requests get no answer (a slow or interrupted delivery). */
  withholdResultAcks = false;
  private readonly uploads = new Map<string, Uint8Array>();
  private readonly io: Server;
  private readonly sockets = new Map<string, Socket>();
  private nextDevice = 1;

  private constructor(
    readonly url: string,
    io: Server,
  ) {
    this.io = io;
  }

  static async start(validTokens: string[] = ['good-token']): Promise<FakeCoordinator> {
    const http = createServer();
    // Room for 1 MiB checkpoint pieces plus their envelope, as the coordinator allows.
    const io = new Server(http, { transports: ['websocket'], maxHttpBufferSize: 4 * 1024 * 1024 });
    await new Promise<void>((resolve) => http.listen(0, '127.0.0.1', resolve));
    const { port } = http.address() as AddressInfo;
    const sut = new FakeCoordinator(`http://127.0.0.1:${port}`, io);
    io.use((socket, next) => {
      const auth = socket.handshake.auth as Record<string, string>;
      sut.handshakes.push(auth);
      if (auth.enrollmentToken !== undefined) {
        if (validTokens.includes(auth.enrollmentToken)) return next();
        return next(refusal(ErrorCode.ERROR_CODE_ENROLLMENT_TOKEN_UNKNOWN, 'unknown enrollment token'));
      }
      if (auth.deviceId && sut.busyHandshakes.count > 0) {
        sut.busyHandshakes.count -= 1;
        const busy = refusal(ErrorCode.ERROR_CODE_RATE_LIMITED, 'coordinator busy');
        return next(Object.assign(busy, { data: { ...busy.data, retryAfterMs: sut.busyHandshakes.retryAfterMs } }));
      }
      if (auth.deviceId && sut.devices.get(auth.deviceId) === auth.credential) {
        socket.data.deviceId = auth.deviceId;
        return next();
      }
      return next(refusal(ErrorCode.ERROR_CODE_CREDENTIAL_INVALID, 'credential not accepted'));
    });
    io.on('connection', (socket) => {
      if (socket.data.deviceId) sut.sockets.set(socket.data.deviceId as string, socket);
      socket.on(DEVICE_CHANNEL_EVENT, (frame: unknown, ack: (reply: Uint8Array) => void) => sut.onFrame(socket, frame, ack));
    });
    return sut;
  }

  messages<N extends MessageTypeName>(type: N): Array<MessageOf<N>> {
    return this.received.filter((entry) => entry.type === type).map((entry) => entry.message as MessageOf<N>);
  }

  progressSequences(jobId: string): number[] {
    return this.messages('sparsefleet.v1.ProgressReport')
      .filter((report: ProgressReport) => report.jobId === jobId)
      .map((report: ProgressReport) => report.sequence);
  }

  results(jobId: string): JobResult[] {
    return this.messages('sparsefleet.v1.JobResult').filter((result: JobResult) => result.jobId === jobId);
  }

  async assign(deviceId: string, jobId: string, spec: Partial<TrainingJobSpec> = { model: 'mlp' }, extra: Partial<JobAssignment> = {}) {
    const socket = this.sockets.get(deviceId);
    if (!socket) throw new Error(`device ${deviceId} is not connected`);
    const frame = encodeMessage(
      'sparsefleet.v1.JobAssignment',
      withDefaults('sparsefleet.v1.JobAssignment', { jobId, attempt: 1, spec: withDefaults('sparsefleet.v1.TrainingJobSpec', spec), leaseMs: 60_000, ...extra }),
      { senderVersion: VERSION },
    );
    const reply: unknown = await socket.timeout(5000).emitWithAck(DEVICE_CHANNEL_EVENT, frame);
    return expectMessage(decodeFrame(reply), 'sparsefleet.v1.JobAccepted');
  }

  /** Drops the transport under the device, as a network loss would (the client reconnects by itself). */
  dropLink(deviceId: string): void {
    this.sockets.get(deviceId)?.conn.close();
  }

  /** Calls `listener` once the device's current socket disconnects. */
  onDisconnect(deviceId: string, listener: (reason: string) => void): void {
    const socket = this.sockets.get(deviceId);
    if (!socket) throw new Error(`device ${deviceId} is not connected`);
    socket.once('disconnect', listener);
  }

  /** Disconnects the device from the server side (socket.io does not reconnect by itself after this). */
  kick(deviceId: string): void {
    this.sockets.get(deviceId)?.disconnect(true);
  }

  async close(): Promise<void> {
    await this.io.close();
  }

  private onChunk(chunk: CheckpointChunk, reply: Reply, fault: Fault): void {
    const buffer = this.uploads.get(chunk.checkpointId) ?? new Uint8Array(chunk.totalBytes);
    if (chunk.offset + chunk.data.length > buffer.length) return fault(ErrorCode.ERROR_CODE_INVALID_PAYLOAD, 'chunk past the end');
    buffer.set(chunk.data, chunk.offset);
    this.uploads.set(chunk.checkpointId, buffer);
    reply('sparsefleet.v1.Ack', { ok: true });
  }

  private onCommit(commit: CheckpointCommit, reply: Reply, fault: Fault): void {
    const buffer = this.uploads.get(commit.checkpointId);
    if (!buffer || createHash('sha256').update(buffer).digest('hex') !== commit.checkpointId) {
      return fault(ErrorCode.ERROR_CODE_INVALID_PAYLOAD, 'checkpoint hash mismatch');
    }
    this.checkpoints.set(commit.checkpointId, buffer);
    reply('sparsefleet.v1.Ack', { ok: true });
  }

  private onFetch(request: CheckpointFetchRequest, reply: Reply, fault: Fault): void {
    if (this.refuseFetches !== undefined) return fault(this.refuseFetches, 'no such checkpoint for this device');
    if (this.failFetches > 0) {
      this.failFetches -= 1;
      return fault(ErrorCode.ERROR_CODE_INTERNAL, 'storage busy');
    }
    const stored = this.checkpoints.get(request.checkpointId);
    if (!stored) return fault(ErrorCode.ERROR_CODE_NOT_FOUND, 'unknown checkpoint');
    const data = stored.subarray(request.offset, request.offset + request.length);
    reply('sparsefleet.v1.CheckpointFetchResponse', { checkpointId: request.checkpointId, offset: request.offset, totalBytes: stored.length, data });
  }

  private onFrame(socket: Socket, frame: unknown, ack: (reply: Uint8Array) => void): void {
    const decoded = decodeFrame(frame);
    this.received.push({ type: decoded.type, message: decoded.message });
    const reply = <N extends MessageTypeName>(type: N, message: MessageOf<N>) =>
      ack(encodeMessage(type, message, { senderVersion: VERSION, requestId: decoded.requestId }));
    const fault = (code: ErrorCode, message: string) =>
      ack(encodeProtocolError({ code, message, offendingType: decoded.type, requestId: decoded.requestId }, VERSION));
    switch (decoded.type) {
      case 'sparsefleet.v1.EnrollRequest': {
        const deviceId = `dev-${this.nextDevice++}`;
        this.devices.set(deviceId, `secret-${deviceId}`);
        return reply('sparsefleet.v1.EnrollResponse', {
          deviceId,
          credential: `secret-${deviceId}`,
          heartbeatIntervalMs: this.heartbeatIntervalMs,
          reenrolled: false,
        });
      }
      case 'sparsefleet.v1.HelloRequest':
        if (this.failHellos > 0) {
          this.failHellos -= 1;
          return ack(
            encodeProtocolError(
              { code: ErrorCode.ERROR_CODE_INTERNAL, message: 'database busy', offendingType: decoded.type, requestId: decoded.requestId },
              VERSION,
            ),
          );
        }
        return reply('sparsefleet.v1.HelloResponse', {
          deviceId: socket.data.deviceId as string,
          heartbeatIntervalMs: this.heartbeatIntervalMs,
        });
      case 'sparsefleet.v1.Heartbeat':
        return reply('sparsefleet.v1.HeartbeatAck', { serverTimeMs: Date.now(), heartbeatIntervalMs: 0 });
      case 'sparsefleet.v1.ProgressReport': {
        const { sequence } = decoded.message as ProgressReport;
        if (this.dropOnce.delete(sequence)) {
          socket.conn.close();
          return;
        }
        return reply('sparsefleet.v1.Ack', { ok: true });
      }
      case 'sparsefleet.v1.JobResult':
        if (this.withholdResultAcks) return;
        return reply('sparsefleet.v1.Ack', { ok: true });
      case 'sparsefleet.v1.CheckpointChunk':
        return this.onChunk(decoded.message as CheckpointChunk, reply, fault);
      case 'sparsefleet.v1.CheckpointCommit':
        return this.onCommit(decoded.message as CheckpointCommit, reply, fault);
      case 'sparsefleet.v1.CheckpointFetchRequest':
        return this.onFetch(decoded.message as CheckpointFetchRequest, reply, fault);
      case 'sparsefleet.v1.ForgettingStatsChunk': {
        const { epoch, chunkIndex, chunkCount } = decoded.message as ForgettingStatsChunk;
        if (this.dropForgettingOnce.delete(`${epoch}|${chunkIndex}`)) {
          socket.conn.close();
          return;
        }
        if (this.refuseForgetting !== undefined) return fault(this.refuseForgetting, 'statistics refused');
        return reply('sparsefleet.v1.ForgettingStatsAck', { complete: chunkIndex === chunkCount - 1, reason: '' });
      }
      case 'sparsefleet.v1.RemovalSetRequest': {
        if (this.refuseRemovalRequests !== undefined) return fault(this.refuseRemovalRequests, 'no removal sets here');
        const { knownVersion } = decoded.message as RemovalSetRequest;
        const newest = this.removalSets.length > 1 ? this.removalSets.shift() : this.removalSets[0];
        const newer = newest !== undefined && newest.version > knownVersion;
        return reply('sparsefleet.v1.RemovalSetReply', { changed: newer, ...(newer ? { removalSet: newest } : {}) });
      }
      default:
        ack(
          encodeProtocolError(
            { code: ErrorCode.ERROR_CODE_UNKNOWN_MESSAGE_TYPE, message: 'unexpected', offendingType: decoded.type, requestId: '' },
            VERSION,
          ),
        );
    }
  }
}

type Reply = <N extends MessageTypeName>(type: N, message: MessageOf<N>) => void;
type Fault = (code: ErrorCode, message: string) => void;

function refusal(code: ErrorCode, message: string): Error & { data: HandshakeRefusal } {
  const error = new Error(message) as Error & { data: HandshakeRefusal };
  error.data = { code, codeName: errorCodeName(code), message };
  return error;
}
