// The engine as the federated lab uses it, in whichever thread runs it (the coordinator's, or the evaluation worker):
// TensorFlow.js is imported on first use, and each data config's splits are loaded once per thread.
import type { FederatedModelEvaluation } from '../../server/src/index.js';
import type { TrainingJobSpec } from '../../protocol/src/index.js';

export type Engine = typeof import('../../client/src/engine/index.js');
export type EngineTrainConfig = ReturnType<Engine['jobSpecToTrainConfig']>;
type FederatedData = Awaited<ReturnType<Engine['loadFederatedData']>>;

export interface EngineAccess {
  engine(): Promise<Engine>;
  /** The train and test splits of `config`'s data (loaded once; a failed load is retried on the next call). */
  data(config: EngineTrainConfig): Promise<FederatedData>;
  /** Accuracy and loss of an encoded sparse tensor set on the held-out split of `base`'s data. */
  evaluate(model: Uint8Array, base: TrainingJobSpec): Promise<FederatedModelEvaluation>;
}

export function engineAccess(): EngineAccess {
  let loaded: Promise<Engine> | undefined;
  const datasets = new Map<string, Promise<FederatedData>>();
  const engine = () => (loaded ??= import('../../client/src/engine/index.js'));
  const data = async (config: EngineTrainConfig) => {
    const key = JSON.stringify([config.data, config.seed]);
    let splits = datasets.get(key);
    if (!splits) {
      const module = await engine();
      splits = module.loadFederatedData(config);
      datasets.set(key, splits);
      splits.catch(() => datasets.delete(key));
    }
    return splits;
  };
  return {
    engine,
    data,
    async evaluate(model, base) {
      const module = await engine();
      const config = module.jobSpecToTrainConfig(base);
      const { test } = await data(config);
      const { accuracy, loss } = await module.evaluateModel(module.decodeSparseSet(model), config, test);
      return { accuracy, loss, examples: test.size };
    },
  };
}
