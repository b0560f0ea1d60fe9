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
  private writing = false;

  /** `write` gets the batch in arrival order and returns one outcome per item, in the same order. */
  constructor(
    private readonly write: (items: readonly Item[]) => Promise<readonly Outcome[]>,
    private readonly maxBatch = 2048,
  ) {}

  add(item: Item): Promise<Outcome> {
    return new Promise<Outcome>((resolve, reject) => {
      this.waiting.push({ item, resolve, reject });
      if (!this.writing) {
        this.writing = true;
        setImmediate(() => void this.drain());
      }
    });
  }

  /** Items added but not yet written. */
  get backlog(): number {
    return this.waiting.length;
  }

  private async drain(): Promise<void> {
    while (this.waiting.length > 0) {
      const batch = this.waiting.splice(0, this.maxBatch);
      try {
        const outcomes = await this.write(batch.map((pending) => pending.item));
        if (outcomes.length !== batch.length) throw new Error(`group commit: ${outcomes.length} outcomes for ${batch.length} items`);
        batch.forEach((pending, index) => pending.resolve(outcomes[index]!));
      } catch (error) {
        for (const pending of batch) pending.reject(error);
      }
    }
    this.writing = false;
  }
}
