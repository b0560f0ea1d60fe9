// The coordinator's Prometheus metrics. One Registry per coordinator (not prom-client's global one), so several
// coordinators in one process (tests) never share or collide on metric names. Gauges that read the database
// are added by FleetGauges; counters are incremented where the events happen.
import { Injectable, type OnModuleInit } from '@nestjs/common';
import { Counter, Registry } from 'prom-client';
import { DomainEventBus } from '../events/event-bus.js';

export type ReportKind = 'progress' | 'result';

@Injectable()
export class MetricsService implements OnModuleInit {
  readonly registry = new Registry();

  constructor(private readonly events: DomainEventBus) {}

  /** Counters of domain events are kept by subscribing to them, on the node where they happened. */
  onModuleInit(): void {
    this.events.on('LeaseExpired', (_event, origin) => {
      if (origin === 'local') this.leaseExpiries.inc();
    });
    this.events.on('JobFinished', ({ state }, origin) => {
      if (origin === 'local') this.jobsFinished.inc({ state });
    });
  }

  private readonly reports = new Counter({
    name: 'sparsefleet_reports_received_total',
    help: 'Progress reports and results accepted from devices (resends included); rate() gives reports/s.',
    labelNames: ['kind'] as const,
    registers: [this.registry],
  });

  private readonly leaseExpiries = new Counter({
    name: 'sparsefleet_lease_expiries_total',
    help: 'Job attempts abandoned because their lease expired.',
    registers: [this.registry],
  });

  private readonly jobsFinished = new Counter({
    name: 'sparsefleet_jobs_finished_total',
    help: 'Jobs that reached a final state on this coordinator node, by state.',
    labelNames: ['state'] as const,
    registers: [this.registry],
  });

  private readonly protocolErrors = new Counter({
    name: 'sparsefleet_protocol_errors_total',
    help: 'Protocol errors answered and handshakes refused, by error code.',
    labelNames: ['code'] as const,
    registers: [this.registry],
  });

  private readonly checkpointBytes = new Counter({
    name: 'sparsefleet_checkpoint_bytes_stored_total',
    help: 'Bytes of checkpoints committed to the checkpoint store (content-addressed: a re-commit adds nothing).',
    registers: [this.registry],
  });

  private readonly framesRefused = new Counter({
    name: 'sparsefleet_device_frames_refused_total',
    help: 'Device-channel frames refused by the per-device limiter; reason flood-disconnect also dropped the connection.',
    labelNames: ['reason'] as const,
    registers: [this.registry],
  });

  private readonly reportConflicts = new Counter({
    name: 'sparsefleet_report_conflicts_total',
    help: 'Reports that reused an idempotency key with different content (the first record is kept).',
    labelNames: ['kind'] as const,
    registers: [this.registry],
  });

  private readonly authBlocks = new Counter({
    name: 'sparsefleet_auth_attempts_blocked_total',
    help: 'Handshakes and re-enrollment proofs refused unchecked because their address or device id is backing off.',
    registers: [this.registry],
  });

  reportReceived(kind: ReportKind): void {
    this.reports.inc({ kind });
  }

  deviceFrameRefused(reason: 'rate' | 'flood-disconnect'): void {
    this.framesRefused.inc({ reason });
  }

  reportConflict(kind: ReportKind): void {
    this.reportConflicts.inc({ kind });
  }

  authAttemptBlocked(): void {
    this.authBlocks.inc();
  }

  protocolError(codeName: string): void {
    this.protocolErrors.inc({ code: codeName });
  }

  checkpointStored(bytes: number): void {
    this.checkpointBytes.inc(bytes);
  }

  /** The exposition text and its content type, for GET /metrics. */
  async scrape(): Promise<{ contentType: string; body: string }> {
    return { contentType: this.registry.contentType, body: await this.registry.metrics() };
  }
}
