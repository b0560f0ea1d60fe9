// The main thread's side of a bench device worker (a worker thread or a child process with IPC): every message it
// posts is kept until someone waits for its kind, so a reply that arrives before it is awaited is not lost.
import type { ChildProcess } from 'node:child_process';
import type { MessagePort, Worker } from 'node:worker_threads';

export class WorkerMailbox<Message extends { kind: string }> {
  private readonly messages: Message[] = [];
  private readonly waiters: Array<() => void> = [];

  constructor(worker: Worker | ChildProcess) {
    worker.on('message', (message: Message) => {
      this.messages.push(message);
      this.waiters.splice(0).forEach((wake) => wake());
    });
  }

  /** The oldest unread message of `kind`, waiting for one if there is none yet. */
  async next(kind: string): Promise<Message> {
    for (;;) {
      const index = this.messages.findIndex((message) => message.kind === kind);
      if (index >= 0) return this.messages.splice(index, 1)[0]!;
      await new Promise<void>((resolve) => this.waiters.push(resolve));
    }
  }
}

/**
 * The worker's side of a heartbeating bench device: answers `samples` with the round trips recorded so far, and on
 * `stop` stops the heartbeats, closes the device's socket and the port.
 */
export function serveHeartbeatSamples(port: MessagePort, samples: readonly unknown[], stop: () => void): void {
  port.on('message', (message: { kind: string }) => {
    if (message.kind === 'samples') port.postMessage({ kind: 'samples', samples });
    if (message.kind === 'stop') {
      stop();
      port.close();
    }
  });
}
