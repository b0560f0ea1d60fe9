// Regression: a device whose coordinator crashed (socket.io reconnecting on its own, with backoff) and whose link
// was then partitioned never reconnected after the heal: the partition switched reconnection off while socket.io's
// reconnect loop was waiting, the loop stayed marked as running, and socket.connect() never opened again.
import { createServer, type Server as HttpServer } from 'node:http';
import type { AddressInfo, Socket as NetSocket } from 'node:net';
import { Server } from 'socket.io';
import { afterEach, describe, expect, it } from 'vitest';
import { DeviceConnection, type LinkShim } from '../../client/src/agent/connection.js';
import { createRng } from '../../client/src/engine/util/rng.js';
import { PERFECT_LINK, SimulatedLink } from '../../client/src/sim/virtual/simulated-link.js';

/** A socket.io server that can crash (transports cut, nothing listening) and come back on the same port. */
class CrashableServer {
  /** socket.io connections since the last listen(). */
  connections = 0;
  private http: HttpServer | undefined;
  private io: Server | undefined;
  private readonly sockets = new Set<NetSocket>();

  constructor(private port = 0) {}

  get url(): string {
    return `http://127.0.0.1:${this.port}`;
  }

  async listen(): Promise<void> {
    this.connections = 0;
    const http = createServer();
    const io = new Server(http, { transports: ['websocket'] });
    io.on('connection', () => (this.connections += 1));
    http.on('connection', (socket: NetSocket) => {
      this.sockets.add(socket);
      socket.on('close', () => this.sockets.delete(socket));
    });
    await new Promise<void>((resolve) => http.listen(this.port, '127.0.0.1', resolve));
    this.port = (http.address() as AddressInfo).port;
    this.http = http;
    this.io = io;
  }

  /** Like a SIGKILL: every transport drops without a socket.io goodbye and the port stops answering. */
  async crash(): Promise<void> {
    const { http, io } = this;
    this.http = undefined;
    this.io = undefined;
    if (!http || !io) return;
    const closed = new Promise<void>((resolve) => http.close(() => resolve()));
    // Upgraded (websocket) connections are no longer the HTTP server's to close: cut them at the TCP level.
    for (const socket of this.sockets) socket.destroy();
    await closed;
    io.removeAllListeners();
  }
}

/** A link the test partitions and heals by hand. */
class SwitchableLink implements LinkShim {
  private readonly listeners: Array<(reachable: boolean) => void> = [];

  send(transmit: () => void): void {
    transmit();
  }

  watchReachability(listener: (reachable: boolean) => void): () => void {
    this.listeners.push(listener);
    return () => this.listeners.splice(this.listeners.indexOf(listener), 1);
  }

  set reachable(reachable: boolean) {
    for (const listener of this.listeners) listener(reachable);
  }
}

function nextEvent(connection: DeviceConnection, event: 'connected' | 'disconnected' | 'unreachable'): Promise<void> {
  return new Promise((resolve) => connection.once(event, () => resolve()));
}

describe('DeviceConnection partition after a coordinator crash', () => {
  let connection: DeviceConnection | undefined;
  let server: CrashableServer | undefined;

  afterEach(async () => {
    connection?.close();
    await server?.crash();
  });

  it('should reconnect once the link heals even when the partition began while socket.io was retrying', async () => {
    // Prepare: connected, then the coordinator crashes and a reconnect attempt fails (the next one is waiting).
    server = new CrashableServer();
    await server.listen();
    const link = new SwitchableLink();
    connection = new DeviceConnection({
      url: server.url,
      senderVersion: 'test',
      auth: () => ({ enrollmentToken: 'token' }),
      link,
      reconnectionDelayMs: 300,
      reconnectionDelayMaxMs: 300,
      randomizationFactor: 0,
    });
    const connected = nextEvent(connection, 'connected');
    connection.open();
    await connected;
    const disconnected = nextEvent(connection, 'disconnected');
    const unreachable = nextEvent(connection, 'unreachable');
    await server.crash();
    await disconnected;
    await unreachable;
    await new Promise((resolve) => setTimeout(resolve, 50)); // inside socket.io's 300 ms wait for its next attempt

    // Execute: partition during that wait; the coordinator comes back; the link heals.
    link.reachable = false;
    await server.listen();
    await new Promise((resolve) => setTimeout(resolve, 600)); // socket.io's own attempt would have come and gone
    expect(server.connections).toBe(0);
    const reconnected = nextEvent(connection, 'connected');
    link.reachable = true;

    // Assert
    await reconnected;
    expect(connection.connected).toBe(true);
    expect(server.connections).toBe(1);
  }, 15_000);

  it('should not connect through a simulated link that was partitioned before it, and connect when it heals', async () => {
    // Prepare: an agent restarted while its device's link is cut gets a link that is partitioned already.
    server = new CrashableServer();
    await server.listen();
    const link = new SimulatedLink(PERFECT_LINK, { timeScale: 1, random: createRng(1) });
    link.partition(60_000);
    connection = new DeviceConnection({ url: server.url, senderVersion: 'test', auth: () => ({ enrollmentToken: 'token' }), link });

    // Execute
    connection.open();
    await new Promise((resolve) => setTimeout(resolve, 300));
    const connected = nextEvent(connection, 'connected');
    link.heal();

    // Assert
    expect(server.connections).toBe(0);
    await connected;
    expect(server.connections).toBe(1);
  }, 15_000);
});
