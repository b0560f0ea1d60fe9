// The device's socket.io link to the coordinator: websocket only, socket.io's own reconnection with exponential
// backoff and jitter, binary envelopes on one event. Requests are acked envelopes; pushes go to one handler.
import { io, type Socket } from 'socket.io-client';
import {
  DEVICE_CHANNEL_EVENT,
  decodeFrame,
  encodeMessage,
  expectMessage,
  isHandshakeRefusal,
  type HandshakeAuth,
  type HandshakeRefusal,
  type MessageOf,
  type MessageTypeName,
} from '../../../protocol/src/index.js';
import { realClock, type Clock, type TimerHandle } from './clock.js';
import { TypedEvents } from './typed-events.js';

export interface BackoffOptions {
  /** First reconnection delay. */
  readonly reconnectionDelayMs: number;
  readonly reconnectionDelayMaxMs: number;
  /** 0..1: each delay is spread by ± this fraction so a fleet does not reconnect in lock-step. */
  readonly randomizationFactor: number;
  /**
   * Reconnect through the connection's clock instead of socket.io's own reconnection loop, whose timers run on wall
   * time (a simulation on virtual time; default false).
   */
  readonly reconnectOnClock?: boolean;
  /** The jitter's random source (default Math.random; a simulation passes a seeded one). */
  readonly random?: () => number;
}

export interface ConnectionOptions extends Partial<BackoffOptions> {
  readonly url: string;
  readonly senderVersion: string;
  /** Read on every (re)connect, so enrollment can switch from token to credential without a new socket. */
  readonly auth: () => HandshakeAuth;
  readonly requestTimeoutMs?: number;
  /** Shapes outgoing envelopes (simulated networks); absent = every envelope goes out at once. */
  readonly link?: LinkShim;
  /** Request timeouts through a link and the retries scheduled here (default the real clock; socket.io's own
   * reconnection backoff and ack timeouts stay on real timers). */
  readonly clock?: Clock;
}

/**
 * A device's outgoing network as a simulator models it. The connection hands it every outgoing envelope as a
 * `transmit` callback: calling it now sends the envelope, calling it later delays it, twice duplicates it, never loses
 * it (the request then times out and its owner retries, as on a real lossy link).
 */
export interface LinkShim {
  /** `bytes`: the envelope's size, for links that model bandwidth. */
  send(transmit: () => void, bytes: number): void;
  /**
   * Called once with a listener the link calls with false when it is partitioned (at once, if it already is) and
   * true when it heals; returns how to stop listening (the connection is closed).
   */
  watchReachability?(listener: (reachable: boolean) => void): () => void;
}

export interface ConnectionEvents {
  connected: [];
  disconnected: [reason: string];
  /** The coordinator refused the handshake; the owner decides whether to `retryLater()` or `close()`. */
  refused: [refusal: HandshakeRefusal];
  /** The coordinator could not be reached; socket.io retries by itself with backoff. */
  unreachable: [error: string, attempt: number];
}

export type PushHandler = (frame: unknown) => Promise<Uint8Array>;

export class NotConnectedError extends Error {
  constructor() {
    super('not connected to the coordinator');
    this.name = 'NotConnectedError';
  }
}

export const DEFAULT_BACKOFF: BackoffOptions = {
  reconnectionDelayMs: 500,
  reconnectionDelayMaxMs: 15_000,
  randomizationFactor: 0.5,
};

/** Exponential delay with jitter, as socket.io computes it, for the retries socket.io does not do itself. */
export function backoffDelay(attempt: number, backoff: BackoffOptions, random: () => number = Math.random): number {
  const base = Math.min(backoff.reconnectionDelayMs * 2 ** Math.max(attempt - 1, 0), backoff.reconnectionDelayMaxMs);
  const spread = base * backoff.randomizationFactor * (random() * 2 - 1);
  return Math.max(0, Math.round(Math.min(base + spread, backoff.reconnectionDelayMaxMs)));
}

export class DeviceConnection extends TypedEvents<ConnectionEvents> {
  private socket: Socket | undefined;
  private pushHandler: PushHandler | undefined;
  private requestCounter = 0;
  private failedAttempts = 0;
  private retryTimer: TimerHandle | undefined;
  private closed = false;
  /** The link is partitioned: the transport is down and nothing reconnects until it heals. */
  private partitioned = false;
  private readonly stopWatchingLink: (() => void) | undefined;
  private readonly backoff: BackoffOptions;
  private readonly requestTimeoutMs: number;
  private readonly clock: Clock;

  constructor(private readonly options: ConnectionOptions) {
    super();
    this.clock = options.clock ?? realClock;
    this.backoff = {
      reconnectionDelayMs: options.reconnectionDelayMs ?? DEFAULT_BACKOFF.reconnectionDelayMs,
      reconnectionDelayMaxMs: options.reconnectionDelayMaxMs ?? DEFAULT_BACKOFF.reconnectionDelayMaxMs,
      randomizationFactor: options.randomizationFactor ?? DEFAULT_BACKOFF.randomizationFactor,
      reconnectOnClock: options.reconnectOnClock ?? false,
      random: options.random,
    };
    this.requestTimeoutMs = options.requestTimeoutMs ?? 10_000;
    this.stopWatchingLink = options.link?.watchReachability?.((reachable) => (reachable ? this.healPartition() : this.partition()));
  }

  get connected(): boolean {
    return this.socket?.connected ?? false;
  }

  onPush(handler: PushHandler): void {
    this.pushHandler = handler;
  }

  open(): void {
    if (this.socket) return;
    this.closed = false;
    const socket = io(this.options.url, {
      transports: ['websocket'],
      // Each agent needs its own engine: socket.io otherwise shares one Manager (and socket) per URL.
      forceNew: true,
      autoConnect: false,
      reconnection: !this.backoff.reconnectOnClock,
      reconnectionDelay: this.backoff.reconnectionDelayMs,
      reconnectionDelayMax: this.backoff.reconnectionDelayMaxMs,
      randomizationFactor: this.backoff.randomizationFactor,
      auth: (callback) => callback(this.options.auth()),
    });
    this.socket = socket;
    if (this.partitioned || this.backoff.reconnectOnClock) socket.io.reconnection(false);
    socket.on('connect', () => {
      this.failedAttempts = 0;
      this.emit('connected');
    });
    socket.on('disconnect', (reason) => {
      // Nothing buffered for the old session may be replayed by socket.io later: the outbox owns resends.
      socket.sendBuffer.length = 0;
      this.emit('disconnected', String(reason));
      // socket.io leaves reconnecting to us after a server-side kick; the handshake then says whether we may.
      if (reason === 'io server disconnect' && !this.closed) this.retryLater();
      // Reconnecting on the clock: a transport that dropped is retried here as socket.io would.
      else if (this.backoff.reconnectOnClock && reason !== 'io client disconnect' && !this.closed && !this.partitioned) this.retryLater();
    });
    socket.on('connect_error', (error: Error & { data?: unknown }) => this.onConnectError(error));
    socket.on(DEVICE_CHANNEL_EVENT, (frame: unknown, ack?: (reply: Uint8Array) => void) => {
      void this.onPushFrame(frame, ack);
    });
    if (!this.partitioned) socket.connect();
  }

  /** Drops the current session and connects again (e.g. with the credential obtained by enrolling). */
  reconnect(): void {
    if (!this.socket || this.closed) return;
    this.socket.disconnect();
    if (!this.partitioned) this.socket.connect();
  }

  /** Drops the session and connects again after the backoff delay of the `attempt`-th consecutive failure. */
  reconnectAfterBackoff(attempt: number): number {
    if (!this.socket || this.closed) return 0;
    this.socket.disconnect();
    return this.scheduleConnect(backoffDelay(attempt, this.backoff, this.backoff.random));
  }

  /** After a retryable refusal: socket.io does not retry a refused handshake, so schedule it here. */
  retryLater(): number {
    this.failedAttempts += 1;
    return this.scheduleConnect(backoffDelay(this.failedAttempts, this.backoff, this.backoff.random));
  }

  /** Connects again after the delay a busy coordinator named (it spread the delays of the devices it refused). */
  retryAfter(delayMs: number): number {
    this.failedAttempts += 1;
    return this.scheduleConnect(Math.max(0, Math.round(delayMs)));
  }

  close(): void {
    this.closed = true;
    this.clearRetry();
    this.stopWatchingLink?.();
    const socket = this.socket;
    this.socket = undefined;
    if (socket) {
      socket.disconnect();
      socket.removeAllListeners();
    }
  }

  /**
   * Cuts the link the way a crash or a pulled cable would: the transport closes without a goodbye packet, then
   * the connection is closed for good (no reconnect).
   */
  abort(): void {
    this.socket?.io.engine?.close();
    this.close();
  }

  /** Sends a request envelope and returns the typed reply; a ProtocolError reply throws ProtocolFault. */
  async request<Q extends MessageTypeName, R extends MessageTypeName>(
    type: Q,
    message: MessageOf<Q>,
    replyType: R,
    timeoutMs = this.requestTimeoutMs,
  ): Promise<MessageOf<R>> {
    const socket = this.socket;
    if (!socket?.connected) throw new NotConnectedError();
    this.requestCounter += 1;
    const frame = encodeMessage(type, message, {
      senderVersion: this.options.senderVersion,
      requestId: `${socket.id ?? 'd'}-${this.requestCounter}`,
    });
    const reply: unknown = this.options.link
      ? await this.sendThroughLink(this.options.link, socket, frame, timeoutMs)
      : await socket.timeout(timeoutMs).emitWithAck(DEVICE_CHANNEL_EVENT, frame);
    return expectMessage(decodeFrame(reply), replyType);
  }

  /**
   * Sends one envelope through the link shim: the first reply settles the request; a copy sent after the link
   * dropped is lost; no reply within `timeoutMs` of the request (lost or late) rejects like socket.io's timeout.
   */
  private sendThroughLink(link: LinkShim, socket: Socket, frame: Uint8Array, timeoutMs: number): Promise<unknown> {
    return new Promise((resolve, reject) => {
      const { clock } = this;
      const started = clock.now();
      let settled = false;
      const settle = (finish: () => void): void => {
        if (settled) return;
        settled = true;
        clock.clearTimeout(timer);
        finish();
      };
      const timer = clock.setTimeout(() => settle(() => reject(new Error('operation has timed out'))), timeoutMs);
      link.send(() => {
        if (!socket.connected) return;
        const remaining = Math.max(1, timeoutMs - (clock.now() - started));
        socket.timeout(remaining).emit(DEVICE_CHANNEL_EVENT, frame, (error: Error | null, reply: unknown) => {
          settle(() => (error ? reject(error) : resolve(reply)));
        });
      }, frame.byteLength);
    });
  }

  /** Partition: the transport drops without a goodbye and socket.io does not reconnect until the link heals. */
  private partition(): void {
    this.partitioned = true;
    this.clearRetry();
    const socket = this.socket;
    if (!socket) return;
    socket.io.reconnection(false);
    socket.io.engine?.close();
    // Ends socket.io's own reconnect loop too. Switching reconnection off alone leaves a loop that was waiting (the
    // coordinator was already unreachable) marked as running for good, and socket.connect() never opens again while
    // it is: a device cut off by a coordinator crash and then partitioned never came back. The transport is closed
    // already, so no goodbye goes out.
    socket.disconnect();
  }

  private healPartition(): void {
    if (!this.partitioned) return;
    this.partitioned = false;
    const socket = this.socket;
    if (!socket || this.closed) return;
    socket.io.reconnection(!this.backoff.reconnectOnClock);
    if (!socket.connected) socket.connect();
  }

  private onConnectError(error: Error & { data?: unknown }): void {
    if (this.closed) return;
    if (isHandshakeRefusal(error.data)) {
      this.emit('refused', error.data);
      return;
    }
    // A middleware error without refusal data leaves the socket inactive; keep trying like socket.io would.
    if (this.backoff.reconnectOnClock || (this.socket && !this.socket.active)) this.retryLater();
    else this.failedAttempts += 1;
    this.emit('unreachable', error.message, this.failedAttempts);
  }

  private async onPushFrame(frame: unknown, ack?: (reply: Uint8Array) => void): Promise<void> {
    if (!this.pushHandler) return;
    const reply = await this.pushHandler(frame);
    ack?.(reply);
  }

  private scheduleConnect(delayMs: number): number {
    this.clearRetry();
    this.retryTimer = this.clock.setTimeout(() => {
      this.retryTimer = undefined;
      if (!this.closed && !this.partitioned) this.socket?.connect();
    }, delayMs);
    return delayMs;
  }

  private clearRetry(): void {
    this.clock.clearTimeout(this.retryTimer);
    this.retryTimer = undefined;
  }
}
