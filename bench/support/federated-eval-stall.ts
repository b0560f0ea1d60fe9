// bench:federated --eval-stall: how long a round's held-out evaluation holds the event loop of the thread that asks
// for it (the coordinator's), with the engine lab evaluating on that thread (before: 'in-process') and in its worker
// thread (now: 'worker'), side by side in one run. The model is the job's seeded initial model; each mode runs the
// same evaluations one after the other (the timers run in between, as between two rounds' closes) while a 10 ms
// interval timer and perf_hooks' event-loop delay histogram watch this thread. The tick gap is the measure: it is
// how long a heartbeat arriving during an evaluation waits. The worker is started (and its data loaded) by a first, unmeasured evaluation, as in a coordinator
// after its first round.
import { monitorEventLoopDelay, performance } from 'node:perf_hooks';
import { engineFederatedLab } from '../../cli/src/federated-lab.js';
import type { TrainingJobSpec } from '../../protocol/src/index.js';
import type { FederatedModelLab } from '../../server/src/index.js';

export interface EvalStallRecord {
  readonly mode: 'in-process' | 'worker';
  readonly evaluations: number;
  readonly test_examples: number;
  /** Wall time of one evaluation, mean over the measured ones. */
  readonly eval_ms_mean: number;
  /** Longest event-loop block of this thread during the evaluations (monitorEventLoopDelay max). */
  readonly loop_delay_max_ms: number;
  readonly loop_delay_p99_ms: number;
  /** Longest gap between two ticks of a 10 ms interval timer (what a heartbeat handler would wait). */
  readonly tick_gap_max_ms: number;
  readonly accuracy: number;
}

const TICK_MS = 10;

export async function measureEvaluationStall(base: TrainingJobSpec, evaluations: number, progress: (line: string) => void): Promise<EvalStallRecord[]> {
  const records: EvalStallRecord[] = [];
  for (const mode of ['in-process', 'worker'] as const) {
    const lab = engineFederatedLab({ evaluation: mode });
    try {
      const model = await lab.initialModel(base);
      await lab.evaluate(model, base); // warm: engine, data, worker
      records.push(await measure(mode, lab, model, base, evaluations));
      progress(`eval-stall ${mode}: ${JSON.stringify(records.at(-1))}`);
    } finally {
      await lab.close?.();
    }
  }
  return records;
}

async function measure(mode: EvalStallRecord['mode'], lab: FederatedModelLab, model: Uint8Array, base: TrainingJobSpec, evaluations: number): Promise<EvalStallRecord> {
  const histogram = monitorEventLoopDelay({ resolution: 1 });
  let last = performance.now();
  let tickGapMax = 0;
  const ticker = setInterval(() => {
    const now = performance.now();
    tickGapMax = Math.max(tickGapMax, now - last);
    last = now;
  }, TICK_MS);
  histogram.enable();
  let elapsed = 0;
  let accuracy = 0;
  let examples = 0;
  for (let index = 0; index < evaluations; index++) {
    const started = performance.now();
    ({ accuracy, examples } = await lab.evaluate(model, base));
    elapsed += performance.now() - started;
    // One evaluation per round closes: let the timers run in between (a blocked loop shows its block only then).
    await new Promise((resolve) => setTimeout(resolve, 3 * TICK_MS));
  }
  histogram.disable();
  clearInterval(ticker);
  return {
    mode,
    evaluations,
    test_examples: examples,
    eval_ms_mean: Math.round(elapsed / evaluations),
    loop_delay_max_ms: round(histogram.max / 1e6),
    loop_delay_p99_ms: round(histogram.percentile(99) / 1e6),
    tick_gap_max_ms: round(tickGapMax),
    accuracy,
  };
}

function round(value: number): number {
  return Math.round(value * 10) / 10;
}

export function formatEvalStall(records: readonly EvalStallRecord[]): string {
  return records
    .map((r) => `${r.mode.padEnd(10)}  ${r.evaluations} × ${r.test_examples} examples: ${r.eval_ms_mean} ms each; loop delay max ${r.loop_delay_max_ms} ms, p99 ${r.loop_delay_p99_ms} ms; 10 ms tick gap max ${r.tick_gap_max_ms} ms`)
    .join('\n');
}
