// What several coordinator nodes share: the leadership (always this node without Redis, a Redis lease with it) and,
// with Redis, the transport that carries domain events between nodes. The device channel's socket.io adapter is not
// a provider: Nest takes it from startCoordinator (ClusterIoAdapter), because it must exist before the gateway.
import { Module, type DynamicModule, type Provider } from '@nestjs/common';
import type { CoordinatorConfig } from '../config/coordinator-config.js';
import { EVENT_TRANSPORT } from '../events/event-transport.js';
import { ClusterLifecycle } from './cluster-lifecycle.js';
import { LEADERSHIP, SoleLeadership } from './leadership.js';
import { RedisLeaseLeadership } from './redis-lease-leadership.js';
import { RedisStreamsEventTransport } from './redis-streams-event-transport.js';

@Module({})
export class ClusterModule {
  static forRoot(config: Pick<CoordinatorConfig, 'redisUrl' | 'nodeId'>): DynamicModule {
    const { redisUrl, nodeId } = config;
    const providers: Provider[] = [
      {
        provide: LEADERSHIP,
        useFactory: () => (redisUrl ? new RedisLeaseLeadership({ url: redisUrl, nodeId }) : new SoleLeadership()),
      },
      ClusterLifecycle,
    ];
    if (redisUrl) {
      providers.push({ provide: EVENT_TRANSPORT, useFactory: () => new RedisStreamsEventTransport({ url: redisUrl, nodeId }) });
    }
    return {
      module: ClusterModule,
      global: true,
      providers,
      exports: redisUrl ? [LEADERSHIP, EVENT_TRANSPORT] : [LEADERSHIP],
    };
  }
}
