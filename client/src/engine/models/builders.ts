// Model builders. Layer names and shapes match catalog.ts (`maskableLayers`) exactly; a test checks every model. The
// seed networks are built from the same plans the catalog reads (./plan-builder.ts).
import { createRng, type Rng } from '../util/rng.js';
import { isSeedNetwork, networkPlan, networkSummary, unmaskedLayers, VGG_CONFIG, type InputShape, type ModelName, type SmallModelName } from './catalog.js';
import { BatchNorm, Conv2d, Linear } from './layers.js';
import { Model } from './model.js';
import { Flatten, GlobalAvgPool, MaxPool2x2, ReLU, Sequential, type Module } from './module.js';
import { nextModelScope } from './parameter.js';
import { buildPlan } from './plan-builder.js';
import { BasicBlock } from './residual.js';

export interface BuildModelOptions {
  readonly model: ModelName;
  readonly input: InputShape;
  readonly numClasses: number;
  /** Weight-initialisation seed: the same seed gives the same weights on every backend. */
  readonly seed: number;
}

export function buildModel(options: BuildModelOptions): Model {
  const { model, input, numClasses } = options;
  const scope = nextModelScope(model);
  const rng = createRng(options.seed).derive('model-init');
  if (isSeedNetwork(model)) {
    const { emptyAt } = networkSummary(model, input, numClasses);
    if (emptyAt !== undefined) {
      throw new RangeError(`${model} needs a larger input than ${input.height}x${input.width}: ${emptyAt} would have no output`);
    }
    const network = buildPlan(networkPlan(model, input, numClasses), { scope, rng });
    return new Model(model, input, numClasses, network, unmaskedLayers(model, input, numClasses));
  }
  const context: BuildContext = { scope, rng, input, numClasses };
  return new Model(model, input, numClasses, BUILDERS[model](context));
}

interface BuildContext {
  readonly scope: string;
  readonly rng: Rng;
  readonly input: InputShape;
  readonly numClasses: number;
}

const BUILDERS: Record<SmallModelName, (context: BuildContext) => Module> = {
  mlp: buildMlp,
  cnn: buildCnn,
  resnet20: (context) => buildResnet(context, [16, 32, 64], 3),
  resnet32: (context) => buildResnet(context, [32, 64, 128], 5),
  vgg: buildVgg,
};

function layer(context: BuildContext, name: string, bias: boolean) {
  return { scope: context.scope, name, rng: context.rng, bias };
}

/** MLP 784-300-100-10 (input size from the data). */
function buildMlp(context: BuildContext): Module {
  const { height, width, channels } = context.input;
  const sizes = [height * width * channels, 300, 100, context.numClasses];
  const modules: Module[] = [new Flatten()];
  for (let i = 1; i < sizes.length; i++) {
    modules.push(new Linear(sizes[i - 1], sizes[i], { ...layer(context, `fc${i}`, true), inputLayer: i === 1 }));
    if (i < sizes.length - 1) modules.push(new ReLU());
  }
  return new Sequential(modules);
}

/** conv(32) → ReLU → pool → conv(64) → ReLU → pool → fc1(128) → ReLU → fc2. */
function buildCnn(context: BuildContext): Module {
  const { height, width, channels } = context.input;
  const pooled = Math.floor(Math.floor(height / 2) / 2) * Math.floor(Math.floor(width / 2) / 2);
  return new Sequential([
    new Conv2d(channels, 32, 3, 1, layer(context, 'conv1', true)),
    new ReLU(),
    new MaxPool2x2(),
    new Conv2d(32, 64, 3, 1, layer(context, 'conv2', true)),
    new ReLU(),
    new MaxPool2x2(),
    new Flatten(),
    new Linear(64 * pooled, 128, layer(context, 'fc1', true)),
    new ReLU(),
    new Linear(128, context.numClasses, layer(context, 'fc2', true)),
  ]);
}

function buildResnet(context: BuildContext, widths: readonly number[], blocksPerStage: number): Module {
  const modules: Module[] = [
    new Conv2d(context.input.channels, widths[0], 3, 1, layer(context, 'conv1', false)),
    new BatchNorm('bn1', widths[0], context.scope),
    new ReLU(),
  ];
  let inChannels = widths[0];
  widths.forEach((width, stage) => {
    for (let block = 0; block < blocksPerStage; block++) {
      const stride = stage > 0 && block === 0 ? 2 : 1;
      modules.push(new BasicBlock(`layer${stage + 1}.${block}`, inChannels, width, stride, context.scope, context.rng));
      inChannels = width;
    }
  });
  modules.push(new GlobalAvgPool(), new Linear(inChannels, context.numClasses, layer(context, 'fc', true)));
  return new Sequential(modules);
}

/** VGG_CONFIG convs (conv + BN + ReLU occupy 3 `features` indices, a pool 1), global average pool, classifier. */
function buildVgg(context: BuildContext): Module {
  const modules: Module[] = [];
  let inChannels = context.input.channels;
  let index = 0;
  for (const item of VGG_CONFIG) {
    if (item === 'M') {
      modules.push(new MaxPool2x2());
      index += 1;
      continue;
    }
    modules.push(
      new Conv2d(inChannels, item, 3, 1, layer(context, `features.${index}`, false)),
      new BatchNorm(`features.${index + 1}`, item, context.scope),
      new ReLU(),
    );
    inChannels = item;
    index += 3;
  }
  modules.push(new GlobalAvgPool(), new Linear(inChannels, context.numClasses, layer(context, 'classifier', true)));
  return new Sequential(modules);
}
