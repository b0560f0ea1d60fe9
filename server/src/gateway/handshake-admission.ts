// Admission of device handshakes. A reconnect storm brings thousands of handshakes at once; taken all together, each
// waits behind the others and clients give up (socket.io-client's 20 s connect timeout) and come back, doubling the
// work. Instead at most `limit` device sessions are being set up at a time (from the handshake until their first frame
// is handled, or the connection closes); the others are refused at once with RATE_LIMITED and a retry delay, spread
// at random over the time the node needs to serve everyone refused lately, so they come back at the pace it serves.

/** Leaves the admission (idempotent). */
export type AdmissionRelease = () => void;

export interface AdmissionRefusal {
  readonly retryAfterMs: number;
  /** Sessions being set up when it was refused. */
  readonly inFlight: number;
}

export interface HandshakeAdmissionOptions {
  /** Device sessions set up at once. */
  readonly limit: number;
  /** A session not released by then is released anyway (a client that authenticates and says nothing). */
  readonly holdMs?: number;
  readonly minRetryMs?: number;
  readonly maxRetryMs?: number;
  readonly now?: () => number;
  readonly random?: () => number;
}

/** Counts over one-second buckets: how many sessions were set up (released) and refused lately. */
const RATE_WINDOW_MS = 1000;

export class HandshakeAdmission {
  private inFlight = 0;
  private windowStart = 0;
  private served = 0;
  private refused = 0;
  /** Sessions set up per second, from the last full window (the limit per second until one is measured). */
  private servedPerSecond: number;
  private refusedLately = 0;
  private readonly holdMs: number;
  private readonly minRetryMs: number;
  private readonly maxRetryMs: number;
  private readonly now: () => number;
  private readonly random: () => number;

  constructor(private readonly options: HandshakeAdmissionOptions) {
    this.holdMs = options.holdMs ?? 10_000;
    this.minRetryMs = options.minRetryMs ?? 250;
    this.maxRetryMs = options.maxRetryMs ?? 20_000;
    this.now = options.now ?? Date.now;
    this.random = options.random ?? Math.random;
    this.servedPerSecond = options.limit;
  }

  /** Connections holding an admission until their first frame; kept here, not in socket.data (which nodes exchange). */
  private readonly holders = new WeakMap<object, AdmissionRelease>();

  /** Keeps `release` with the connection until `end`. */
  hold(connection: object, release: AdmissionRelease): void {
    this.holders.get(connection)?.();
    this.holders.set(connection, release);
  }

  /** The connection's session is set up (its first frame handled) or gone: another handshake may take its place. */
  end(connection: object): void {
    const release = this.holders.get(connection);
    if (!release) return;
    this.holders.delete(connection);
    release();
  }

  /** Sessions being set up now. */
  get pending(): number {
    return this.inFlight;
  }

  /** Admits one handshake (the caller must release it) or says when to come back. */
  enter(): AdmissionRelease | AdmissionRefusal {
    this.roll();
    if (this.inFlight >= this.options.limit) {
      this.refused += 1;
      return { retryAfterMs: this.retryDelay(), inFlight: this.inFlight };
    }
    this.inFlight += 1;
    let released = false;
    const timer = setTimeout(() => release(), this.holdMs);
    timer.unref?.();
    const release = () => {
      if (released) return;
      released = true;
      clearTimeout(timer);
      this.inFlight -= 1;
      this.roll();
      this.served += 1;
    };
    return release;
  }

  /**
   * Everyone refused in the last window (and those refused now) comes back spread over the time it takes to serve
   * them at the measured pace: a uniform draw over that span, never under `minRetryMs`.
   */
  private retryDelay(): number {
    const backlog = this.inFlight + Math.max(this.refusedLately, this.refused);
    const spanMs = (backlog / Math.max(this.servedPerSecond, 1)) * 1000;
    const delay = this.minRetryMs + this.random() * spanMs;
    return Math.round(Math.min(delay, this.maxRetryMs));
  }

  private roll(): void {
    const now = this.now();
    if (now - this.windowStart < RATE_WINDOW_MS) return;
    const elapsed = now - this.windowStart;
    // Only a window that was busy says how fast sessions are set up; a quiet one keeps the last measure.
    if (this.refused > 0 || this.inFlight >= this.options.limit) this.servedPerSecond = (this.served * RATE_WINDOW_MS) / elapsed;
    this.refusedLately = elapsed < 2 * RATE_WINDOW_MS ? this.refused : 0;
    this.windowStart = now;
    this.served = 0;
    this.refused = 0;
  }
}

export function isRefusal(outcome: AdmissionRelease | AdmissionRefusal): outcome is AdmissionRefusal {
  return typeof outcome !== 'function';
}
