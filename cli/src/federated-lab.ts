// The coordinator's federated lab on the engine in this process: round 0's seeded model, each round's held-out
// accuracy (the test split of the job's data) and the shards the partition cuts (shown in the job view). The engine (TensorFlow.js) is imported on first use, so a coordinator
// that never runs a federated job does not load it; each data config's splits are loaded once.
import type { FederatedModelLab } from '../../server/src/index.js';

type Engine = typeof import('../../client/src/engine/index.js');

export function engineFederatedLab(): FederatedModelLab {
  let engine: Promise<Engine> | undefined;
  const datasets = new Map<string, ReturnType<Engine['loadFederatedData']>>();
  const load = () => (engine ??= import('../../client/src/engine/index.js'));
  const dataOf = (module: Engine, config: ReturnType<Engine['jobSpecToTrainConfig']>) => {
    const key = JSON.stringify([config.data, config.seed]);
    let loaded = datasets.get(key);
    if (!loaded) {
      loaded = module.loadFederatedData(config);
      datasets.set(key, loaded);
      loaded.catch(() => datasets.delete(key));
    }
    return loaded;
  };
  return {
    async initialModel(base) {
      const module = await load();
      const config = module.jobSpecToTrainConfig(base);
      const model = await module.createInitialModel(config, await dataOf(module, config));
      return module.encodeSparseSet(model, { dtype: 'f32' });
    },
    async evaluate(bytes, base) {
      const module = await load();
      const config = module.jobSpecToTrainConfig(base);
      const { test } = await dataOf(module, config);
      const { accuracy, loss } = await module.evaluateModel(module.decodeSparseSet(bytes), config, test);
      return { accuracy, loss, examples: test.size };
    },
    async describeShards(base, partition) {
      const module = await load();
      const config = module.jobSpecToTrainConfig(base);
      const { train } = await dataOf(module, config);
      const shards = module.partitionAll(train.labels, { ...partition, clientIndex: 0 });
      return shards.map((positions, clientIndex) => {
        const labelCounts = new Array<number>(train.numClasses).fill(0);
        for (const position of positions) labelCounts[train.labels[position]!] += 1;
        return { clientIndex, examples: positions.length, labelCounts };
      });
    },
  };
}
