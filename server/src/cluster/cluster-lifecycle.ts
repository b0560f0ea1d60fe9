// Starts the leadership with the application (so isLeader() is settled before anything runs) and, at shutdown,
// gives it up and closes every Redis connection of the cluster parts. Whoever started the event transport stops it
// too; stopping twice is harmless.
import { Inject, Injectable, Optional, type OnApplicationShutdown, type OnModuleInit } from '@nestjs/common';
import { EVENT_TRANSPORT, type EventTransport } from '../events/event-transport.js';
import { LEADERSHIP, type Leadership } from './leadership.js';

@Injectable()
export class ClusterLifecycle implements OnModuleInit, OnApplicationShutdown {
  constructor(
    @Inject(LEADERSHIP) private readonly leadership: Leadership,
    @Optional() @Inject(EVENT_TRANSPORT) private readonly transport: EventTransport | undefined,
  ) {}

  async onModuleInit(): Promise<void> {
    await this.leadership.start();
  }

  async onApplicationShutdown(): Promise<void> {
    await Promise.all([this.leadership.stop(), this.transport?.stop()]);
  }
}
