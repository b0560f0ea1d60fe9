// The one bus domain events travel on. A publisher states what happened and moves on; subscribers run after the
// publisher's current turn (never inside its transaction or handler) and one failing subscriber never stops the
// others. With a transport (several nodes), each event also goes to the other nodes, and theirs come in here.
import { Inject, Injectable, Logger, Optional, type OnApplicationBootstrap, type OnApplicationShutdown } from '@nestjs/common';
import { DOMAIN_EVENT_TYPES, NODE_LOCAL_EVENT_TYPES, type DomainEvent, type DomainEventType, type EventOf } from './domain-events.js';
import { EVENT_TRANSPORT, type EventTransport, type TransportedEvent } from './event-transport.js';

/** Where an event was published: on this node, or on another one (delivered by the transport). */
export type EventOrigin = 'local' | 'remote';

export type EventHandler<T extends DomainEventType> = (event: EventOf<T>, origin: EventOrigin) => void | Promise<void>;

type AnyHandler = (event: DomainEvent, origin: EventOrigin) => void | Promise<void>;

@Injectable()
export class DomainEventBus implements OnApplicationBootstrap, OnApplicationShutdown {
  private readonly logger = new Logger('Events');
  private readonly handlers = new Map<DomainEventType, Set<AnyHandler>>();
  private readonly inFlight = new Set<Promise<void>>();
  private stopped = false;

  constructor(@Optional() @Inject(EVENT_TRANSPORT) private readonly transport?: EventTransport) {}

  /** Subscribes to one event type; returns the unsubscribe function. */
  on<T extends DomainEventType>(type: T, handler: EventHandler<T>): () => void {
    const set = this.handlers.get(type) ?? new Set<AnyHandler>();
    set.add(handler as AnyHandler);
    this.handlers.set(type, set);
    return () => set.delete(handler as AnyHandler);
  }

  /** Delivers the event to this node's subscribers (next turn) and, with a transport, to the other nodes. */
  publish(event: DomainEvent): void {
    if (this.stopped) return;
    this.deliver(event, 'local');
    if (this.transport && !NODE_LOCAL_EVENT_TYPES.has(event.type)) {
      this.track(
        this.transport.publish(event).catch((error: unknown) => {
          this.logger.error(`event ${event.type} not sent to the other nodes: ${describe(error)}`);
        }),
      );
    }
  }

  /** Resolves once every subscriber started so far has finished, including those their events started. */
  async settle(): Promise<void> {
    while (this.inFlight.size > 0) await Promise.allSettled([...this.inFlight]);
  }

  async onApplicationBootstrap(): Promise<void> {
    await this.transport?.start((incoming) => this.receive(incoming));
  }

  async onApplicationShutdown(): Promise<void> {
    this.stopped = true;
    await this.transport?.stop();
    await this.settle();
  }

  private receive({ event }: TransportedEvent): void {
    if (this.stopped || !isDomainEvent(event)) {
      if (!this.stopped) this.logger.warn(`ignored an event of unknown type ${JSON.stringify(event.type)} from another node`);
      return;
    }
    this.deliver(event, 'remote');
  }

  private deliver(event: DomainEvent, origin: EventOrigin): void {
    const handlers = this.handlers.get(event.type);
    if (!handlers || handlers.size === 0) return;
    for (const handler of [...handlers]) {
      this.track(
        new Promise<void>((resolve) => setImmediate(resolve))
          .then(() => handler(event, origin))
          .catch((error: unknown) => this.logger.error(`a ${event.type} subscriber failed: ${describe(error)}`)),
      );
    }
  }

  private track(work: Promise<void>): void {
    const tracked = work.finally(() => this.inFlight.delete(tracked));
    this.inFlight.add(tracked);
  }
}

function isDomainEvent(event: { readonly type: string }): event is DomainEvent {
  return (DOMAIN_EVENT_TYPES as readonly string[]).includes(event.type);
}

function describe(error: unknown): string {
  return error instanceof Error ? (error.stack ?? error.message) : String(error);
}
