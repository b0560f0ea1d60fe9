// Which coordinator node runs the periodic work that must run once (lease expiry, campaign supervision, retention).
// One process is always the leader (SoleLeadership); nodes sharing Redis hold a lease in turn (RedisLeaseLeadership).

export interface Leadership {
  isLeader(): boolean;
  /** Called with the new state on every change; returns the function that unsubscribes. */
  onChange(listener: (leader: boolean) => void): () => void;
  /** Resolves after the first claim: isLeader() is meaningful from then on. */
  start(): Promise<void>;
  /** Gives the role up (at once, for the next node to take) and releases what start() took. */
  stop(): Promise<void>;
}

/** Injection token of the Leadership. */
export const LEADERSHIP = Symbol('LEADERSHIP');

/** A coordinator without Redis is the only node: always the leader, never a change. */
export class SoleLeadership implements Leadership {
  isLeader(): boolean {
    return true;
  }

  onChange(_listener: (leader: boolean) => void): () => void {
    return () => undefined;
  }

  async start(): Promise<void> {}

  async stop(): Promise<void> {}
}
