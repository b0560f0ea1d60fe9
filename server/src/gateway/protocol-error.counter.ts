// In-memory count of protocol errors and handshake refusals by code name, for GET /api/stats.
import { Injectable } from '@nestjs/common';
import { errorCodeName, type ErrorCode } from '../../../protocol/src/index.js';

@Injectable()
export class ProtocolErrorCounter {
  private readonly counts = new Map<string, number>();

  record(code: ErrorCode): void {
    const name = errorCodeName(code);
    this.counts.set(name, (this.counts.get(name) ?? 0) + 1);
  }

  snapshot(): Record<string, number> {
    return Object.fromEntries([...this.counts.entries()].sort(([a], [b]) => a.localeCompare(b)));
  }
}
