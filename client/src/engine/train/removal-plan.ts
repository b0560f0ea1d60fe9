// Which examples a run leaves out and how long the run is for the rest: the fleet removal set in force (maybe
// refreshed at an epoch boundary), the run's own MEST removal, and the run length computed for the kept examples.
// See the "Fleet removal sets and the run length" comment in ./run.ts for what a change of set recomputes.
import type { DatasetIdentity } from '../../../../protocol/src/index.js';
import type { FleetRemovalCheckpoint, RunLengthBase } from '../checkpoint/types.js';
import type { Dataset } from '../data/types.js';
import type { TrainConfig } from './config.js';
import { checkRemovalSet, excludedCount, keptCount, unionOf, type FleetRemovalSet, type RemovalRefresh } from './fleet-removal.js';
import type { RunLength } from './sparse-setup.js';
import type { RemovalRefreshEvent } from './types.js';

/** What one refresh did (RemovalRefreshEvent without its epoch). */
export type RefreshOutcome = DistributiveOmit<RemovalRefreshEvent, 'epoch'>;
type DistributiveOmit<T, K extends PropertyKey> = T extends unknown ? Omit<T, K> : never;

export class RemovalPlan {
  private fleet: FleetRemovalSet | undefined;
  private local: ReadonlySet<number> | undefined;
  private base: RunLengthBase;
  private current: RunLength;
  /** The length the method was initialised with (for a resumed run: the one the job started with). */
  readonly initialLength: RunLength;

  /** `resumed`: the state a checkpoint recorded; otherwise the run starts under `initial` (if any) at step 0. */
  constructor(
    private readonly config: TrainConfig,
    private readonly train: Dataset,
    private readonly identity: DatasetIdentity | undefined,
    start: { readonly initial?: FleetRemovalSet; readonly resumed?: FleetRemovalCheckpoint },
  ) {
    const resumed = start.resumed;
    this.fleet = resumed?.set ?? start.initial;
    this.base = resumed?.from ?? { step: 0, epoch: 0 };
    this.current = this.lengthFor(this.fleet);
    this.initialLength = resumed === undefined ? this.current : { epochs: config.epochs, ...resumed.initialLength };
  }

  get length(): RunLength {
    return this.current;
  }

  get fleetSet(): FleetRemovalSet | undefined {
    return this.fleet;
  }

  /** Every id left out of training: fleet set ∪ the run's own removal. */
  get excluded(): ReadonlySet<number> | undefined {
    return unionOf(this.fleet?.removedIds, this.local);
  }

  get localRemoval(): ReadonlySet<number> | undefined {
    return this.local;
  }

  /** The run's own MEST removal (restored, or cut at its epoch). It does not change the run length. */
  setLocalRemoval(ids: ReadonlySet<number> | undefined): void {
    this.local = ids;
  }

  /** Examples of this device's split left out now. */
  removedExamples(): number {
    return excludedCount(this.train, this.excluded);
  }

  /**
   * At the start of `epoch` with `stepsDone` steps done: asks `refresh` for a newer set and, when one comes that
   * fits this split, switches to it and recomputes the run length from here. A rejected promise, the same or an
   * older version, a set about other data or one that removes every example keep the current set.
   */
  async refresh(refresh: RemovalRefresh, epoch: number, stepsDone: number): Promise<RefreshOutcome> {
    const version = this.fleet?.version ?? 0;
    let next: FleetRemovalSet | undefined;
    try {
      next = await refresh(epoch, version);
    } catch (error) {
      return { kind: 'refused', reason: `refresh failed: ${error instanceof Error ? error.message : String(error)}` };
    }
    if (next === undefined || next.version <= version) return { kind: 'kept' };
    if (this.identity === undefined) return { kind: 'refused', reason: 'the loaded split has no identity' };
    try {
      checkRemovalSet(next, this.identity, this.train, this.local);
    } catch (error) {
      return { kind: 'refused', reason: error instanceof Error ? error.message : String(error) };
    }
    this.fleet = next;
    this.base = { step: stepsDone, epoch };
    this.current = this.lengthFor(next);
    return { kind: 'replaced', version: next.version };
  }

  checkpointState(): FleetRemovalCheckpoint | undefined {
    if (this.fleet === undefined) return undefined;
    const { stepsPerEpoch, totalSteps } = this.initialLength;
    return { set: this.fleet, from: this.base, initialLength: { stepsPerEpoch, totalSteps } };
  }

  /**
   * Where (possibly fractional) epoch `epoch` starts in steps under the current length: base step + (epoch − base
   * epoch) × steps per epoch. Exact from the base epoch on; earlier epochs are extrapolated with the current length.
   */
  epochStartStep(epoch: number): number {
    return this.base.step + (epoch - this.base.epoch) * this.current.stepsPerEpoch;
  }

  /**
   * Steps per epoch for the examples the fleet set keeps (the run's own MEST removal does not shorten the plan: the
   * reference keeps its schedule) and total steps = base step + remaining epochs × steps per epoch, capped by
   * maxSteps.
   */
  private lengthFor(removal: FleetRemovalSet | undefined): RunLength {
    const kept = keptCount(this.train, unionOf(removal?.removedIds, undefined));
    const stepsPerEpoch = Math.max(1, Math.ceil(kept / this.config.batchSize));
    const planned = this.base.step + (this.config.epochs - this.base.epoch) * stepsPerEpoch;
    return {
      epochs: this.config.epochs,
      stepsPerEpoch,
      totalSteps: this.config.maxSteps === undefined ? planned : Math.min(planned, this.config.maxSteps),
    };
  }
}
