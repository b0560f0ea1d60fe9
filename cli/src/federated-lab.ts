// The coordinator's federated lab on the engine: round 0's seeded model and the shards the partition cuts (shown in
// the job view) on this thread, at submission; each round's held-out accuracy (the test split of the job's data) in
// one long-lived worker thread, so an evaluation (about one test-set pass) never holds up heartbeats and requests.
// The engine (TensorFlow.js) is imported on first use, so a coordinator that never runs a federated job does not
// load it. The worker runs compiled JavaScript: from TypeScript sources (tests) evaluation defaults to this thread.
import type { FederatedModelLab } from '../../server/src/index.js';
import { engineAccess } from './federated-engine-access.js';
import { FederatedEvaluationThread } from './federated-evaluation-thread.js';

export interface EngineFederatedLabOptions {
  /** 'worker': in a worker thread; 'in-process': on this thread; 'auto' (default): a worker when running from dist/. */
  readonly evaluation?: 'worker' | 'in-process' | 'auto';
  /** The worker's compiled entry (default: federated-evaluation-worker.js next to this module). */
  readonly workerEntry?: URL;
}

const WORKER_ENTRY = new URL('./federated-evaluation-worker.js', import.meta.url);

export function engineFederatedLab(options: EngineFederatedLabOptions = {}): FederatedModelLab {
  const access = engineAccess();
  const mode = options.evaluation ?? 'auto';
  const inWorker = mode === 'worker' || (mode === 'auto' && !import.meta.url.endsWith('.ts'));
  const thread = inWorker ? new FederatedEvaluationThread(options.workerEntry ?? WORKER_ENTRY) : undefined;
  return {
    async initialModel(base) {
      const module = await access.engine();
      const config = module.jobSpecToTrainConfig(base);
      const model = await module.createInitialModel(config, await access.data(config));
      return module.encodeSparseSet(model, { dtype: 'f32' });
    },
    evaluate: (model, base) => (thread ? thread.evaluate(model, base) : access.evaluate(model, base)),
    async describeShards(base, partition) {
      const module = await access.engine();
      const config = module.jobSpecToTrainConfig(base);
      const { train } = await access.data(config);
      const shards = module.partitionAll(train.labels, { ...partition, clientIndex: 0 });
      return shards.map((positions, clientIndex) => {
        const labelCounts = new Array<number>(train.numClasses).fill(0);
        for (const position of positions) labelCounts[train.labels[position]!] += 1;
        return { clientIndex, examples: positions.length, labelCounts };
      });
    },
    close: async () => thread?.close(),
  };
}
