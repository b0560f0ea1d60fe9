// Holds a pause_when_hidden job between steps while the page is hidden: wait() resolves at once while the gate is
// open, else when it opens again (or rejects when the job is aborted meanwhile).
export class PauseGate {
  private open = true;
  private waiters: Array<() => void> = [];

  constructor(private readonly onPausedChange: (paused: boolean) => void = () => undefined) {}

  setOpen(open: boolean): void {
    if (open === this.open) return;
    this.open = open;
    if (!open) return;
    const waiters = this.waiters;
    this.waiters = [];
    for (const resume of waiters) resume();
    if (waiters.length > 0) this.onPausedChange(false);
  }

  wait(signal: AbortSignal): Promise<void> {
    if (this.open) return Promise.resolve();
    signal.throwIfAborted();
    if (this.waiters.length === 0) this.onPausedChange(true);
    return new Promise<void>((resolve, reject) => {
      const onAbort = () => {
        this.waiters = this.waiters.filter((waiter) => waiter !== resume);
        reject(signal.reason);
      };
      const resume = () => {
        signal.removeEventListener('abort', onAbort);
        resolve();
      };
      signal.addEventListener('abort', onAbort, { once: true });
      this.waiters.push(resume);
    });
  }
}
