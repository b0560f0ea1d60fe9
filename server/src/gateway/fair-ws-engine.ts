// The WebSocket server under socket.io, with one change: a connection's messages are emitted one per event-loop turn
// (ws `allowSynchronousEvents: false`). By default ws emits every message of a received chunk in the same tick, so a
// device that floods hundreds of frames in one burst holds the loop for all of them before anyone else's heartbeat is
// read; the rate limit only refuses them after they were parsed and dispatched.
import { WebSocketServer, type ServerOptions } from 'ws';

export class FairWebSocketServer extends WebSocketServer {
  constructor(options?: ServerOptions, callback?: () => void) {
    super({ ...options, allowSynchronousEvents: false }, callback);
  }
}
