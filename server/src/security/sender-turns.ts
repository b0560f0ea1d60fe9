// Turns of one sender's frames: at most `inFlight` of them are handled at once and up to `maxWaiting` more wait, in
// order, each waiting frame starting on a later turn of the event loop. Without it a device's whole rate budget could
// be in the handlers at once (300 heartbeats queued on the database before anyone else's); with it, each device's
// frames wait behind its own, and other devices' frames get their turn in between.
export type ReleaseTurn = () => void;

interface SenderState {
  running: number;
  readonly waiting: Array<() => void>;
}

export class SenderTurns {
  private readonly senders = new Map<string, SenderState>();

  constructor(
    private readonly inFlight: number,
    private readonly maxWaiting: number,
  ) {}

  /**
   * Resolves with the function that ends the turn once fewer than `inFlight` frames of `key` are being handled;
   * undefined at once (no turn) when `maxWaiting` frames of `key` already wait.
   */
  take(key: string): Promise<ReleaseTurn> | undefined {
    let state = this.senders.get(key);
    if (!state) {
      state = { running: 0, waiting: [] };
      this.senders.set(key, state);
    }
    const sender = state;
    if (sender.running < this.inFlight) {
      sender.running += 1;
      return Promise.resolve(this.releaser(key, sender));
    }
    if (sender.waiting.length >= this.maxWaiting) return undefined;
    return new Promise<ReleaseTurn>((resolve) =>
      sender.waiting.push(() => {
        sender.running += 1;
        resolve(this.releaser(key, sender));
      }),
    );
  }

  /** Senders with frames in flight or waiting (for tests and diagnostics). */
  get activeSenders(): number {
    return this.senders.size;
  }

  private releaser(key: string, sender: SenderState): ReleaseTurn {
    let released = false;
    return () => {
      if (released) return;
      released = true;
      sender.running -= 1;
      const next = sender.waiting.shift();
      // On the next turn of the event loop, not in this microtask run: handlers that never wait for I/O (the
      // database is synchronous underneath) would otherwise run one sender's whole queue before anyone else's frame.
      if (next) setImmediate(next);
      else if (sender.running === 0) this.senders.delete(key);
    };
  }
}
