// Event-loop delay of a bench process over one phase (perf_hooks.monitorEventLoopDelay): the coordinator's and each
// device group's, so a slow heartbeat round trip can be laid at the door of the process that stalled.
import { monitorEventLoopDelay, type IntervalHistogram } from 'node:perf_hooks';

/**
 * Event-loop delay over a window, in ms, as monitorEventLoopDelay reports it with a 10 ms resolution: each sample is
 * the time between two 10 ms timer ticks, so a free loop reads about 10 ms and a stall of S ms about 10 + S.
 */
export interface LoopDelay {
  readonly p50: number;
  readonly p99: number;
  readonly max: number;
}

export class LoopDelayMonitor {
  private readonly histogram: IntervalHistogram = monitorEventLoopDelay({ resolution: 10 });

  constructor() {
    this.histogram.enable();
  }

  reset(): void {
    this.histogram.reset();
  }

  read(): LoopDelay {
    const h = this.histogram;
    if (h.count === 0) return { p50: 0, p99: 0, max: 0 };
    const ms = (ns: number) => Math.round(ns / 1e4) / 100;
    return { p50: ms(h.percentile(50)), p99: ms(h.percentile(99)), max: ms(h.max) };
  }
}

export function describeLoopDelay(delay: LoopDelay): string {
  return `p50 ${delay.p50} / p99 ${delay.p99} / max ${delay.max} ms (10 ms ticks)`;
}
