// Messages between the accuracy benchmark and its row processes (bench/support/accuracy-row.ts): the parent sends
// one RowJob, the child answers with progress reports and then exactly one RowDone or RowFailed, and exits.
import type { Row, SharedSettings } from './accuracy-plan.js';

export interface RowJob {
  readonly row: Row;
  readonly shared: SharedSettings;
  readonly key: string;
  /** Where the row keeps its last epoch-end checkpoint while it runs (removed when it finishes). */
  readonly checkpointPath: string;
}

/** One finished row, as written to the results file and the JSON output. */
export interface RowRecord extends Row {
  readonly key: string;
  readonly testAccuracy: number;
  readonly finalDensity: number;
  /** Training FLOPs of the whole run (see ./training-flops.ts for what is counted). */
  readonly trainingFlops: number;
  readonly steps: number;
  /** Wall time of the whole run, summed over the processes that ran it. */
  readonly wallMs: number;
  readonly stepMsP50: number;
  /** Test accuracy after each epoch. */
  readonly epochTestAccuracy: readonly number[];
  /** Epoch the run resumed from a checkpoint (0 when it ran in one go). */
  readonly resumedAtEpoch: number;
  readonly dataSource: string;
  readonly finishedAt: string;
}

export type RowMessage =
  | { readonly kind: 'progress'; readonly step: number; readonly totalSteps: number; readonly epoch: number }
  | { readonly kind: 'done'; readonly record: RowRecord }
  | { readonly kind: 'failed'; readonly message: string };
