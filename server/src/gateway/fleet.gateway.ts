// The device channel. Thin on purpose: authenticate at the handshake, hand each frame to the FrameDispatcher,
// answer through the ack (or an 'sf' emit when the device sent none), keep rooms and the socket registry current.
import { Inject, Logger, Optional, type OnModuleDestroy, type OnModuleInit } from '@nestjs/common';
import { CLOCK, realClock, type Clock } from '../common/clock.js';
import {
  WebSocketGateway,
  type OnGatewayConnection,
  type OnGatewayDisconnect,
  type OnGatewayInit,
} from '@nestjs/websockets';
import {
  DEVICE_CHANNEL_EVENT,
  ErrorCode,
  MAX_TRANSPORT_MESSAGE_BYTES,
  ProtocolFault,
  encodeProtocolError,
} from '../../../protocol/src/index.js';
import { COORDINATOR_CONFIG, type CoordinatorConfig } from '../config/coordinator-config.js';
import type { Session } from '../common/session.types.js';
import { CheckpointHandlers } from '../checkpoints/checkpoint.handlers.js';
import { MaskHandlers } from '../masks/mask.handlers.js';
import { DatastatsHandlers } from '../datastats/datastats.handlers.js';
import { FederatedHandlers } from '../federated/federated.handlers.js';
import { DeviceHandlers } from '../devices/device.handlers.js';
import { DeviceService } from '../devices/device.service.js';
import { EnrollmentTokenService } from '../devices/enrollment-token.service.js';
import { AssignmentService } from '../assignment/assignment.service.js';
import { DeviceChannel } from '../jobs/device-channel.js';
import { JobHandlers } from '../jobs/job.handlers.js';
import { JobService } from '../jobs/job.service.js';
import { PresenceHandlers } from '../devices/presence.handlers.js';
import { DeviceChannelLimits } from '../security/device-channel-limits.js';
import { DeviceSocketRegistry } from './device-socket.registry.js';
import { buildDispatchTable } from './dispatch-table.js';
import { FrameDispatcher, type DispatchOutcome } from './frame-dispatcher.js';
import { HandshakeAdmission } from './handshake-admission.js';
import { createHandshakeMiddleware } from './handshake.middleware.js';
import { ProtocolErrorCounter } from './protocol-error.counter.js';
import { deviceRoom, type DeviceServer, type DeviceSocket, type FrameAck } from './socket.types.js';
import { FairWebSocketServer } from './fair-ws-engine.js';

// A frame over MAX_FRAME_BYTES but within this transport limit is answered FRAME_TOO_LARGE (by decodeFrame, before
// decoding); a larger message is dropped by the transport together with the connection, and counted on disconnect.
@WebSocketGateway({ maxHttpBufferSize: MAX_TRANSPORT_MESSAGE_BYTES, wsEngine: FairWebSocketServer })
export class FleetGateway
  implements OnModuleInit, OnGatewayInit<DeviceServer>, OnGatewayConnection, OnGatewayDisconnect, OnModuleDestroy
{
  private readonly logger = new Logger('Fleet');
  /** Every device frame goes through it; public for in-process callers (the fuzz test). */
  readonly dispatcher: FrameDispatcher;
  private server: DeviceServer | undefined;
  private readonly disconnects = new Set<Promise<void>>();
  private readonly serverVersion: string;
  private readonly clustered: boolean;
  private readonly admission: HandshakeAdmission | undefined;

  constructor(
    @Inject(COORDINATOR_CONFIG) config: CoordinatorConfig,
    private readonly tokens: EnrollmentTokenService,
    private readonly devices: DeviceService,
    private readonly assignment: AssignmentService,
    private readonly channel: DeviceChannel,
    private readonly jobs: JobService,
    private readonly registry: DeviceSocketRegistry,
    private readonly errors: ProtocolErrorCounter,
    private readonly limits: DeviceChannelLimits,
    deviceHandlers: DeviceHandlers,
    presenceHandlers: PresenceHandlers,
    jobHandlers: JobHandlers,
    checkpointHandlers: CheckpointHandlers,
    maskHandlers: MaskHandlers,
    datastatsHandlers: DatastatsHandlers,
    federatedHandlers: FederatedHandlers,
    @Optional() @Inject(CLOCK) private readonly clock: Clock = realClock,
  ) {
    const table = buildDispatchTable({
      devices: {
        enroll: (m, s) => deviceHandlers.enroll(m, s),
        hello: (m, s) => presenceHandlers.hello(m, s),
        heartbeat: (m, s) => presenceHandlers.heartbeat(m, s),
      },
      jobs: jobHandlers,
      checkpoints: checkpointHandlers,
      masks: maskHandlers,
      datastats: datastatsHandlers,
      federated: federatedHandlers,
    });
    this.dispatcher = new FrameDispatcher(table, errors, config.serverVersion, this.logger);
    this.serverVersion = config.serverVersion;
    this.clustered = config.redisUrl !== undefined;
    if (config.handshakeConcurrency > 0) this.admission = new HandshakeAdmission({ limit: config.handshakeConcurrency });
  }

  /**
   * No device is connected to a process that is just starting, whatever an earlier run left recorded; the jobs
   * they hold get a fresh lease so that their devices can reconnect and keep them. A node joining other nodes
   * (Redis) leaves that alone: their devices are connected, and presence deadlines take care of the rest.
   */
  async onModuleInit(): Promise<void> {
    if (this.clustered) return;
    const stale = await this.devices.markAllOffline();
    if (stale > 0) this.logger.log(`${stale} device(s) from an earlier run marked offline until they reconnect`);
    const held = await this.jobs.graceLeases();
    if (held > 0) this.logger.log(`${held} job(s) from an earlier run keep their devices for one more lease`);
  }

  afterInit(server: DeviceServer): void {
    this.server = server;
    const { tokens, devices, errors, logger, limits } = this;
    server.use(createHandshakeMiddleware({ tokens, devices, errors, logger, limits, ...(this.admission ? { admission: this.admission } : {}) }));
    this.registry.attachServer(server);
    this.channel.attach(this.registry);
  }

  handleConnection(socket: DeviceSocket): void {
    const session = socket.data.session;
    socket.data.lastHeardAt = this.clock.now();
    // Frames go straight to the dispatcher, not through Nest's message pipeline (observables, guards and filters
    // per message): at thousands of devices that pipeline was a large share of each heartbeat's cost.
    socket.on(DEVICE_CHANNEL_EVENT, (frame: unknown, ack?: FrameAck) => {
      this.onFrame(socket, frame, ack).catch((error: unknown) => {
        this.logger.error(`frame from ${socket.id} failed: ${error instanceof Error ? error.stack : String(error)}`);
      });
    });
    socket.onAny((event: unknown, ...args: unknown[]) => {
      if (event !== DEVICE_CHANNEL_EVENT) void this.onUnknownEvent(socket, event, args);
    });
    socket.once('disconnect', (_reason, description) => {
      this.admission?.end(socket);
      if (isOversizedMessage(description)) this.errors.record(ErrorCode.ERROR_CODE_FRAME_TOO_LARGE);
    });
    if (session?.kind === 'device') this.bindDevice(socket, session.deviceId);
    this.logger.log(`[Fleet.Connect] ${session?.kind === 'device' ? `device=${session.deviceId}` : 'enrollment'}`);
  }

  handleDisconnect(socket: DeviceSocket): Promise<void> {
    const session = socket.data.session;
    if (session?.kind !== 'device' || !this.registry.unbind(session.deviceId, socket)) return Promise.resolve();
    this.logger.log(`[Fleet.Disconnect] device=${session.deviceId}`);
    // A connection that closes before any frame was last heard when it connected.
    const lastHeardAt = new Date(socket.data.lastHeardAt ?? this.clock.now());
    const work = this.releaseDevice(session.deviceId, lastHeardAt).finally(() => this.disconnects.delete(work));
    this.disconnects.add(work);
    return work;
  }

  async onFrame(socket: DeviceSocket, frame: unknown, ack?: FrameAck): Promise<void> {
    // Held from receipt until handled: the lease sweep does not expire a lease its device spoke for in time while
    // the coordinator is still catching up with what it said (a result waiting behind a backlog).
    const data = socket.data;
    if (!data.framesInHand) data.inHandSince = this.clock.now();
    data.framesInHand = (data.framesInHand ?? 0) + 1;
    let outcome: DispatchOutcome;
    try {
      const endTurn = await this.admit(socket, ack);
      if (!endTurn) return;
      try {
        // A frame that waited for its turn on a connection that has gone since is not worth handling.
        if (!socket.connected) return;
        outcome = await this.dispatcher.dispatch(frame, socket.data.session);
      } finally {
        endTurn();
        socket.data.lastHeardAt = this.clock.now();
        this.admission?.end(socket);
      }
    } finally {
      data.framesInHand -= 1;
    }
    if (outcome.session) this.switchSession(socket, outcome.session);
    if (typeof ack === 'function') ack(outcome.frame);
    else if (outcome.error && socket.connected) socket.emit(DEVICE_CHANNEL_EVENT, outcome.frame);
  }

  /** Any other event is charged like a frame and answered UNKNOWN_EVENT, through its ack when it has one. */
  private async onUnknownEvent(socket: DeviceSocket, event: unknown, args: unknown[]): Promise<void> {
    const last = args[args.length - 1];
    const ack = typeof last === 'function' ? (last as FrameAck) : undefined;
    const endTurn = await this.admit(socket, ack);
    if (!endTurn) return;
    endTurn();
    const outcome = this.dispatcher.rejectEvent(event, socket.data.session);
    if (ack) ack(outcome.frame);
    else if (socket.connected) socket.emit(DEVICE_CHANNEL_EVENT, outcome.frame);
  }

  /**
   * Charges the frame to its sender (the device, or an enrollment connection) and waits for the sender's turn;
   * resolves with the function that ends the turn. Over the rate, or with too many frames waiting, it is answered
   * RATE_LIMITED without being decoded; a sender that keeps going is disconnected. Either way the rest of the fleet
   * is untouched.
   */
  private async admit(socket: DeviceSocket, ack: FrameAck | undefined): Promise<(() => void) | undefined> {
    // Frames still arriving on a connection dropped for flooding are neither charged nor answered.
    if (!socket.connected) return undefined;
    const session = socket.data.session;
    const admission = await this.limits.admitFrame({
      deviceId: session?.kind === 'device' ? session.deviceId : undefined,
      enrollmentTokenId: session?.kind === 'enrollment' ? session.tokenId : undefined,
      connectionId: socket.id,
      address: socket.handshake.address,
    });
    if (admission.admitted) return admission.endTurn;
    this.errors.record(ErrorCode.ERROR_CODE_RATE_LIMITED);
    const fault = new ProtocolFault(
      ErrorCode.ERROR_CODE_RATE_LIMITED,
      admission.disconnect
        ? 'frame rate far over the limit: disconnecting'
        : `frame rate over the limit; retry in ${Math.ceil(admission.retryAfterMs / 1000)} s`,
    );
    const answer = encodeProtocolError(fault.toProtocolError(), this.serverVersion);
    if (typeof ack === 'function') ack(answer);
    else if (socket.connected) socket.emit(DEVICE_CHANNEL_EVENT, answer);
    if (admission.disconnect && socket.connected) {
      this.logger.warn(`[Fleet.RateLimit] ${session?.kind === 'device' ? `device=${session.deviceId}` : socket.handshake.address} disconnected for flooding`);
      socket.disconnect(true);
    }
    return undefined;
  }

  /** Shutdown: stop assigning, drop every device connection and record those devices offline. */
  async onModuleDestroy(): Promise<void> {
    await this.assignment.stop();
    this.server?.disconnectSockets(true);
    await Promise.allSettled([...this.disconnects]);
  }

  // The jobs it holds keep their lease: a device that reconnects in time keeps them (the sweep requeues the rest).
  private async releaseDevice(deviceId: string, lastHeardAt: Date): Promise<void> {
    try {
      await this.devices.markOffline(deviceId, lastHeardAt);
    } catch (error) {
      this.logger.error(`disconnect of device ${deviceId}: ${error instanceof Error ? error.stack : String(error)}`);
    }
  }

  /** A handler's new session: binds the connection when it now speaks for another device (an enrollment). */
  private switchSession(socket: DeviceSocket, session: Session): void {
    const previous = socket.data.session;
    socket.data.session = session;
    const previousDevice = previous?.kind === 'device' ? previous.deviceId : undefined;
    if (session.kind === 'device' && session.deviceId !== previousDevice) {
      this.bindDevice(socket, session.deviceId);
      this.logger.log(`[Fleet.Enroll] device=${session.deviceId} enrolled`);
    }
  }

  private bindDevice(socket: DeviceSocket, deviceId: string): void {
    this.registry.dropOtherConnections(deviceId, socket);
    void socket.join(deviceRoom(deviceId));
    const replaced = this.registry.bind(deviceId, socket);
    // A stale connection of the same device (e.g. a half-open socket before a reconnect) must not speak for it.
    if (replaced?.connected) replaced.disconnect(true);
  }
}

/** The transport dropped the connection over a message larger than maxHttpBufferSize (ws closes it with 1009). */
function isOversizedMessage(description: unknown): boolean {
  return description instanceof Error && /max payload size exceeded/i.test(description.message);
}
