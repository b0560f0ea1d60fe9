// Group commit: items added while a batch is being written wait for the next batch, which starts as soon as the
// previous one is done. One writer at a time, batches as large as the load makes them: a quiet system writes each
// item alone at once (after the current turn of the event loop), a busy one amortises a transaction over hundreds.
// Every caller gets the outcome of its own item, or the batch's error.

interface Pending<Item, Outcome> {
  readonly item: Item;
  readonly resolve: (outcome: Outcome) => void;
  readonly reject: (error: unknown) => void;
}

export class GroupCommit<Item, Outcome> {
  private waiting: Pending<Item, Outcome>[] = [];
  private active = 0;
  private scheduled = false;

  /**
   * `write` gets the batch in arrival order and returns one outcome per item, in the same order. `concurrency`
   * batches may be written at once (a database with a connection pool overlaps them; SQLite's one connection does not).
   */
  constructor(
    private readonly write: (items: readonly Item[]) => Promise<readonly Outcome[]>,
    private readonly maxBatch = 2048,
    private readonly concurrency = 1,
  ) {}

  add(item: Item): Promise<Outcome> {
    return new Promise<Outcome>((resolve, reject) => {
      this.waiting.push({ item, resolve, reject });
      this.schedule();
    });
  }

  /** Items added but not yet written. */
  get backlog(): number {
    return this.waiting.length;
  }

  /** Starts batches after the current turn (items added in the same turn share one), while a writer is free. */
  private schedule(): void {
    if (this.scheduled || this.active >= this.concurrency || this.waiting.length === 0) return;
    this.scheduled = true;
    setImmediate(() => {
      this.scheduled = false;
      while (this.waiting.length > 0 && this.active < this.concurrency) void this.writeBatch(this.waiting.splice(0, this.maxBatch));
    });
  }

  private async writeBatch(batch: Pending<Item, Outcome>[]): Promise<void> {
    this.active += 1;
    try {
      const outcomes = await this.write(batch.map((pending) => pending.item));
      if (outcomes.length !== batch.length) throw new Error(`group commit: ${outcomes.length} outcomes for ${batch.length} items`);
      batch.forEach((pending, index) => pending.resolve(outcomes[index]!));
    } catch (error) {
      for (const pending of batch) pending.reject(error);
    } finally {
      this.active -= 1;
      this.schedule();
    }
  }
}
