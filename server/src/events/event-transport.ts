// How domain events reach the other coordinator nodes. One process needs none; several share one (Redis Streams).

/** An event as it travels between nodes: its payload and the node that published it. */
export interface TransportedEvent {
  readonly origin: string;
  readonly event: { readonly type: string };
}

export interface EventTransport {
  /** Sends an event to the other nodes. Resolves once the transport accepted it (e.g. Redis acknowledged XADD). */
  publish(event: { readonly type: string }): Promise<void>;
  /** Starts delivering other nodes' events (never this node's own) to `deliver`, in publication order. */
  start(deliver: (event: TransportedEvent) => void): Promise<void>;
  stop(): Promise<void>;
}

/** Injection token of the optional EventTransport. */
export const EVENT_TRANSPORT = Symbol('EVENT_TRANSPORT');
