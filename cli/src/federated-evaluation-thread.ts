// One long-lived worker thread that evaluates federated global models off the coordinator's event loop. It starts on
// the first evaluation; requests are answered by id; a worker that fails or exits fails the evaluations it held
// (each is then recorded as failed by the caller) and the next evaluation starts a fresh one; close() terminates it.
import { Worker } from 'node:worker_threads';
import type { TrainingJobSpec } from '../../protocol/src/index.js';
import type { FederatedModelEvaluation } from '../../server/src/index.js';
import type { EvaluationReply, EvaluationRequest } from './federated-evaluation-protocol.js';

interface Pending {
  resolve(evaluation: FederatedModelEvaluation): void;
  reject(error: Error): void;
}

export class FederatedEvaluationThread {
  private worker: Worker | undefined;
  private nextId = 1;
  private readonly pending = new Map<number, Pending>();

  /** `entry`: the worker's compiled module (federated-evaluation-worker.js, or any module speaking its messages). */
  constructor(private readonly entry: URL, private readonly workerData?: unknown) {}

  evaluate(model: Uint8Array, base: TrainingJobSpec): Promise<FederatedModelEvaluation> {
    const worker = this.started();
    const id = this.nextId++;
    return new Promise<FederatedModelEvaluation>((resolve, reject) => {
      this.pending.set(id, { resolve, reject });
      worker.ref();
      worker.postMessage({ id, model, base } satisfies EvaluationRequest);
    });
  }

  /** Terminates the worker (if started); evaluations it held fail. A later evaluate() starts a new one. */
  async close(): Promise<void> {
    const worker = this.worker;
    if (!worker) return;
    this.worker = undefined;
    this.failAll(new Error('the evaluation worker was stopped'));
    await worker.terminate();
  }

  /** Whether a worker is running now (tests). */
  get running(): boolean {
    return this.worker !== undefined;
  }

  private started(): Worker {
    if (this.worker) return this.worker;
    const worker = new Worker(this.entry, this.workerData === undefined ? {} : { workerData: this.workerData });
    worker.on('message', (reply: EvaluationReply) => {
      const pending = this.pending.get(reply.id);
      if (!pending) return;
      this.pending.delete(reply.id);
      if (this.pending.size === 0) worker.unref(); // an idle worker never keeps the process alive
      if (reply.ok) pending.resolve({ accuracy: reply.accuracy, loss: reply.loss, examples: reply.examples });
      else pending.reject(new Error(reply.error));
    });
    worker.on('error', (error) => this.lost(worker, new Error(`the evaluation worker failed: ${error.message}`)));
    worker.on('exit', (code) => this.lost(worker, new Error(`the evaluation worker exited (code ${code})`)));
    this.worker = worker;
    return worker;
  }

  private lost(worker: Worker, error: Error): void {
    if (this.worker !== worker) return;
    this.worker = undefined;
    this.failAll(error);
  }

  private failAll(error: Error): void {
    const pending = [...this.pending.values()];
    this.pending.clear();
    for (const { reject } of pending) reject(error);
  }
}
