import { Global, Module } from '@nestjs/common';
import { DomainEventBus } from './event-bus.js';

/** The domain event bus, visible to every module (publishers and subscribers alike). */
@Global()
@Module({ providers: [DomainEventBus], exports: [DomainEventBus] })
export class EventsModule {}
