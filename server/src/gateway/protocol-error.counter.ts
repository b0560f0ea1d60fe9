// Count of protocol errors and handshake refusals by code name, for GET /api/stats and (when a MetricsService
// is present) the Prometheus counter.
import { Injectable, Optional } from '@nestjs/common';
import { errorCodeName, type ErrorCode } from '../../../protocol/src/index.js';
import { MetricsService } from '../metrics/metrics.service.js';

@Injectable()
export class ProtocolErrorCounter {
  private readonly counts = new Map<string, number>();

  constructor(@Optional() private readonly metrics?: MetricsService) {}

  record(code: ErrorCode): void {
    const name = errorCodeName(code);
    this.counts.set(name, (this.counts.get(name) ?? 0) + 1);
    this.metrics?.protocolError(name);
  }

  snapshot(): Record<string, number> {
    return Object.fromEntries([...this.counts.entries()].sort(([a], [b]) => a.localeCompare(b)));
  }
}
