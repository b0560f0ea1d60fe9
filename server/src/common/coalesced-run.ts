// Runs a piece of work one at a time and coalesces requests: any number of requests while a run is in progress
// cause exactly one more run after it. Every caller gets the promise of the run that will cover its request.
export class CoalescedRun {
  private running: Promise<void> | undefined;
  private again = false;

  /** `work` must not throw (log inside it); `keepGoing` false stops the extra run (shutdown). */
  constructor(
    private readonly work: () => Promise<void>,
    private readonly keepGoing: () => boolean = () => true,
  ) {}

  request(): Promise<void> {
    if (this.running) {
      this.again = true;
      return this.running;
    }
    this.running = (async () => {
      try {
        do {
          this.again = false;
          await this.work();
        } while (this.again && this.keepGoing());
      } finally {
        this.running = undefined;
      }
    })();
    return this.running;
  }

  /** The run in progress (covering any request made so far), or undefined when idle. */
  get inProgress(): Promise<void> | undefined {
    return this.running;
  }
}
